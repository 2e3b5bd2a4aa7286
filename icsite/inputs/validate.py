"""Judge the inputs in two layers, reported together. Never raises for bad data.

1. Structure and cells: the files can be read (present, inside the package, UTF-8), their columns are those of
   the schema (`file_checks`, with `release_checks` and `page_checks` for archived releases and pages), and
   Frictionless validates types, constraints and keys (`frictionless_checks`).
2. Domain checks: small functions, one per problem code (`CODES` in problems.py), listed in `domain_checks.CHECKS`.

Rows are numbered as lines of the file, the header being line 1 (the Frictionless convention).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from icsite.core.problems import Problem
from icsite.inputs.checking import problem, rel
from icsite.inputs.domain_checks import CHECKS, collect_tables
from icsite.inputs.file_checks import duplicate_name_problems, structure_problems
from icsite.inputs.frictionless_checks import frictionless_problems
from icsite.inputs.load import Sources
from icsite.inputs.page_checks import page_problems
from icsite.inputs.places import lookup_problems
from icsite.inputs.release_checks import release_problems
from icsite.inputs.stories import story_problems


def validate(sources: Sources, data_dir: Path) -> list[Problem]:
    """Every problem in the inputs, sorted by file, row and code."""
    return combine(first_checks(sources, data_dir), cell_checks(sources, data_dir))


@dataclass
class Findings:
    """Every check but Frictionless's cell checks: the file pre-checks (layer 1) and the domain checks (layer 2)."""

    structure: list[Problem]
    domain: list[Problem]
    has_areas: bool  # an area registry could be read
    has_values: bool  # an indicator package's values could be read
    data_dir: str  # as reported (relative to the project)
    crash: Exception | None = None  # a domain check that could not run: broken cells, or a bug if the cells are sound

    @property
    def failed(self) -> bool:
        """Already known to have an error (or a check that could not run), whatever the cell checks find."""
        return self.crash is not None or any(p.severity == "error" for p in self.structure + self.domain)


def first_checks(sources: Sources, data_dir: Path) -> Findings:
    """The file pre-checks and the domain checks: everything that needs no Frictionless (fast)."""
    root = data_dir.parent
    structure = [p for package in sources.packages for p in structure_problems(package, root)[0]]
    structure += duplicate_name_problems(sources.packages, root)
    structure += [p for package in sources.packages for release in package.releases
                  for p in release_problems(release, root)]
    structure += page_problems(sources.pages, root)
    structure += lookup_problems(sources, data_dir)
    tables = collect_tables(sources, root)  # not kept: the values' copies go once the checks have run
    structure += story_problems(sources.pages, root, tables.areas, [t.frame for t in tables.values])
    findings = Findings(structure, [], tables.areas is not None, bool(tables.values), rel(data_dir, root))
    if tables.areas is not None:
        for check in CHECKS:
            try:
                findings.domain += list(check(tables))
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                findings.crash = findings.crash or exc
    return findings


def cell_checks(sources: Sources, data_dir: Path, pool=None) -> list:
    """Frictionless's checks of each package's cells: lists of problems, or futures of them when given a pool (so
    that they run in another process while the build goes on; `combine` waits for them)."""
    root = data_dir.parent
    out = []
    for package in sources.packages:
        _, skip, safe = structure_problems(package, root)
        if package.descriptor is None or not safe:
            continue  # nothing to validate; never hand an unsafe path to anything that opens files
        light = dataclasses.replace(package, tables={})  # the tables are not needed: Frictionless reads the files
        args = (light, rel(package.path, root), skip)
        out.append(pool.submit(frictionless_problems, *args) if pool is not None else frictionless_problems(*args))
    return out


def combine(findings: Findings, cells: list) -> list[Problem]:
    """All problems, sorted by file, row and code; a cell already reported as malformed is not reported again."""
    cell_problems = [p for c in cells for p in (c.result() if hasattr(c, "result") else c)]
    problems = findings.structure + cell_problems
    if not findings.has_areas:
        if not any(p.code in ("package-invalid-json", "descriptor-invalid") for p in problems):
            problems.append(problem("areas-missing", f"{findings.data_dir}/areas/datapackage.json",
                                    message="no area registry: a package named 'areas' with an 'areas' resource"))
    elif not findings.has_values and not any(p.severity == "error" for p in problems):
        problems.append(problem("indicators-missing", findings.data_dir,
                                message="no indicator package: nothing to publish"))
    if findings.crash is not None and not any(p.severity == "error" for p in problems):
        # a check that cannot run on a table layer 1 found broken is skipped (the report already says what to fix
        # first); on tables layer 1 found sound it is a bug
        raise findings.crash
    reported = {(p.file, p.row, p.field) for p in problems}
    problems += [p for p in findings.domain if (p.file, p.row, p.field) not in reported]
    # then by message: problems of one code at one place (two duplicate ids) always come in the same order
    return sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.code, p.field or "", p.message))
