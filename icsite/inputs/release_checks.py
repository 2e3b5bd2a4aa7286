"""Layer 1 for archived releases (`<package>/releases/<version>/`): they can be read as the release history reads
them."""

from __future__ import annotations

from pathlib import Path

from frictionless import FrictionlessException, Package, system

from icsite.core.problems import Problem
from icsite.inputs.checking import problem, rel
from icsite.inputs.file_checks import structure_problems
from icsite.inputs.load import NEEDED_COLUMNS, SNAPSHOT, ReleaseSource


def release_problems(release: ReleaseSource, root: Path) -> list[Problem]:
    """An archived release, `releases/<version>/`, must be as `build.py release` kept it, so that the release
    history can read it: its descriptor valid and named by its folder, its files safe and readable with the columns
    the history reads (its cells are not checked again: they were valid when released)."""
    folder = rel(release.path, root)
    problems, _, safe = structure_problems(release, root)
    if release.descriptor is None or not safe:
        return problems  # as for a package, an unsafe path is reported alone
    file = f"{folder}/datapackage.json"
    version = release.descriptor.get("version")
    if version is not None and str(version) != release.path.name:
        problems.append(problem("release-version-mismatch", file, field="version", found=version,
                                message=f"the release is kept in the folder '{release.path.name}' but its "
                                        f"datapackage.json gives the version '{version}'", expected=release.path.name))
    problems += descriptor_standard_problems(release.descriptor, file)
    located = {(p.code, p.file, p.row, p.field) for p in problems}
    problems += [p for p in needed_column_problems(release, folder) if (p.code, p.file, p.row, p.field) not in located]
    if release.comparisons_error is not None:
        code, message, line = release.comparisons_error
        problems.append(problem(code, f"{folder}/{SNAPSHOT}", row=line, message=message))
    return problems


def needed_column_problems(release: ReleaseSource, folder: str) -> list[Problem]:
    """column-missing: a column the release history reads (NEEDED_COLUMNS) is not in a release's file."""
    headers = dict(release.headers)
    if release.comparisons is not None:
        headers[SNAPSHOT] = list(release.comparisons.columns)
    out = []
    for name, header in headers.items():
        needed = NEEDED_COLUMNS.get(name, [])
        path = (release.resource(name) or {}).get("path", name) if name != SNAPSHOT else SNAPSHOT
        out += [problem("column-missing", f"{folder}/{path}", 1, c, f"the column '{c}' is missing from the header",
                        expected=", ".join(needed)) for c in needed if c not in header]
    return out


def descriptor_standard_problems(descriptor: dict, file: str) -> list[Problem]:
    """descriptor-invalid: the descriptor alone (not its data) against the Data Package standard."""
    try:
        with system.use_context(trusted=False):
            report = Package.validate_descriptor(descriptor)
    except FrictionlessException as exc:
        return [problem("descriptor-invalid", file, message=exc.error.message)]
    return [problem("descriptor-invalid", file, message=e.message) for e in report.errors]
