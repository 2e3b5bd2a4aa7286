"""Layer 1, structure: each package's descriptor, files and columns can be read as the schema says (present, inside
the package, UTF-8, the schema's columns in its order), and its names can be part of the site's addresses."""

from __future__ import annotations

import json
import re
from pathlib import Path

from icsite.core.problems import Problem
from icsite.core.standard import CI_99_8_FIELDS
from icsite.inputs.checking import problem, rel
from icsite.inputs.load import PackageSource, unsafe_name_reason, unsafe_version_reason


def structure_problems(package: PackageSource, root: Path) -> tuple[list[Problem], set[str], bool]:
    """Problems with one package's descriptor, files and columns; the resources whose cells Frictionless should not
    be asked about; and whether Frictionless may be given the package (every path safe to open, nothing for it to
    fetch from elsewhere)."""
    folder = rel(package.path, root)
    descriptor_file = f"{folder}/datapackage.json"
    if package.descriptor is None:
        return [descriptor_problem(package, folder)], set(), False
    problems = [read_problem(package, name, reason, folder) for name, reason in sorted(package.read_errors.items())]
    skip = set(package.read_errors)
    for name, header in package.headers.items():
        header_problems = column_problems(package, name, header, folder)
        problems += header_problems
        if header_problems:
            skip.add(name)
        if name == "values":
            problems += optional_field_problems(package, header, folder)
    problems += name_problems(package, descriptor_file)
    references = reference_problems(package, descriptor_file)
    safe = not references and not any(code in NEVER_OPEN for code, _, _ in package.read_errors.values())
    return problems + references, skip, safe


#: read errors located at the file itself (the others are located at the resource's path in datapackage.json)
IN_FILE = {"encoding-not-utf8", "control-character", "resource-unreadable", "file-not-regular", "file-unreadable",
           "file-too-large", "line-too-long", "header-too-wide", "row-too-wide"}
#: read errors after which nothing may open the package's files again (Frictionless included)
NEVER_OPEN = {"resource-path-unsafe", "file-not-regular", "file-unreadable", "file-too-large", "line-too-long",
              "header-too-wide", "row-too-wide"}


def descriptor_problem(package: PackageSource, folder: str) -> Problem:
    """Why a package's (or a release's) datapackage.json could not be read."""
    file = f"{folder}/datapackage.json"
    if package.descriptor_error == "missing":
        return problem("package-descriptor-missing", file, severity="warning",
                       message=f"the folder {folder} has no datapackage.json and is not published")
    return problem(package.descriptor_code, file, message=package.descriptor_error or "")


def read_problem(package: PackageSource, name: str, reason: tuple, folder: str) -> Problem:
    """A resource that could not be read: at the file when the file is at fault, else at its path in the
    descriptor."""
    code, message, line = reason
    res = package.resource(name) or {}
    path = res.get("path") if isinstance(res.get("path"), str) else None
    if code in IN_FILE and path:
        return problem(code, f"{folder}/{path}", row=line, message=message)
    return problem(code, f"{folder}/datapackage.json", field=f"resources/{name}/path", message=message, found=path)


PROFILE = re.compile(r"[a-z0-9-]+")  # a profile by its name, e.g. tabular-data-package


def reference_problems(package: PackageSource, file: str) -> list[Problem]:
    """descriptor-invalid: a profile that is not a name, or a schema or dialect that is not written in the
    descriptor. Frictionless would fetch such a reference from another file or the network, from anywhere."""
    parts = [("", package.descriptor)] + [(f"resources/{res.get('name')}/", res) for res in package.resources()]
    out = [problem("descriptor-invalid", file, field=f"{where}profile", found=part["profile"],
                   expected="a profile's name, such as tabular-data-resource",
                   message="a profile is given by its name, not by an address")
           for where, part in parts if not named_profile(part)]
    out += [problem("descriptor-invalid", file, field=f"{where}{key}", found=part[key],
                    message=f"the {key} must be written out in datapackage.json (an object), not referred to in "
                            "another file or at a web address, which the build does not read")
            for where, part in parts[1:] for key in ("schema", "dialect")
            if key in part and not isinstance(part[key], dict)]
    return out


def named_profile(part: dict) -> bool:
    """Whether a descriptor (or a resource) has no profile or names one, rather than giving its address."""
    profile = part.get("profile")
    return profile is None or isinstance(profile, str) and PROFILE.fullmatch(profile) is not None


def name_problems(package: PackageSource, file: str) -> list[Problem]:
    """name-unsafe and version-unsafe: a package's name, its resources' names and its version become parts of the
    site's addresses and of the repository's release folders."""
    out = []
    reason = unsafe_name_reason(package.name)
    if reason:
        out.append(problem("name-unsafe", file, field="name", message=f"the package name cannot be part of an "
                           f"address: {reason}", found=package.name))
    for i, res in enumerate(package.resources()):
        reason = unsafe_name_reason(res.get("name")) if isinstance(res.get("name"), str) else None
        if reason:
            out.append(problem("name-unsafe", file, field=f"resources/{i}/name", message=f"the resource name cannot "
                               f"be part of an address: {reason}", found=res.get("name")))
    version = package.descriptor.get("version")
    reason = unsafe_version_reason(version)
    if reason:
        out.append(problem("version-unsafe", file, field="version", message=reason, found=version))
    return out


def duplicate_name_problems(packages: list[PackageSource], root: Path) -> list[Problem]:
    """package-name-duplicate: a package named as an earlier one (by folder) would be published over it."""
    first: dict[str, PackageSource] = {}
    out = []
    for package in packages:
        if package.descriptor is None:
            continue
        if package.name in first:
            out.append(problem("package-name-duplicate", f"{rel(package.path, root)}/datapackage.json", field="name",
                               message=f"the package name '{package.name}' is also the name of "
                                       f"{rel(first[package.name].path, root)}/datapackage.json",
                               found=package.name))
        first.setdefault(package.name, package)
    return out


def column_problems(package: PackageSource, name: str, header: list[str], folder: str) -> list[Problem]:
    """Columns missing from the file, unknown to the schema, or out of the schema's order."""
    res = package.resource(name) or {}
    if "schema" in res and not isinstance(res["schema"], dict):
        return []  # a schema given by reference: reference_problems says so, and there are no fields to compare
    schema = res.get("schema", {})
    listed = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    fields = [f["name"] for f in listed if isinstance(f, dict) and isinstance(f.get("name"), str)]
    file = f"{folder}/{res.get('path')}"
    out = [problem("column-missing", file, 1, f, f"the column '{f}' is missing from the header",
                   expected=", ".join(fields)) for f in fields if f not in header]
    out += [problem("column-unknown", file, 1, c, f"the column '{c}' is not in the schema",
                    expected=", ".join(fields), found=c) for c in header if c not in fields]
    if not out and header != fields:
        out.append(problem("column-misplaced", file, 1, None, "the columns are not in the schema's order",
                           expected=", ".join(fields), found=", ".join(header)))
    return out


def optional_field_problems(package: PackageSource, header: list[str], folder: str) -> list[Problem]:
    """The optional 99.8% limits of values.csv (`CI_99_8_FIELDS`): absent, nothing to check; present, both columns
    (column-missing names the other, unless the schema lists it: `column_problems` says so then), each declared a
    number in the schema (descriptor-invalid), so that Frictionless checks every cell as one."""
    res = package.resource("values") or {}
    schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
    listed = [f for f in (schema.get("fields") if isinstance(schema.get("fields"), list) else [])
              if isinstance(f, dict)]
    present = [c for c in CI_99_8_FIELDS if c in header]
    out = [problem("column-missing", f"{folder}/{res.get('path')}", 1, c, f"the column '{c}' is missing: the "
                   f"99.8% limits come in pairs, and the file has only {present[0]}",
                   expected=", ".join(CI_99_8_FIELDS), hint="Give both 99.8% limits (lower_ci_99_8 and "
                   "upper_ci_99_8, right after upper_ci, in the file and in its schema) or neither.")
           for c in CI_99_8_FIELDS if present and c not in header and c not in {f.get("name") for f in listed}]
    out += [problem("descriptor-invalid", f"{folder}/datapackage.json", field=f"resources/values/schema/{f['name']}",
                    message=f"the field {f['name']} holds published 99.8% limits: the data standard makes it a "
                            "number", expected='"type": "number"', found=f'"type": {json.dumps(kind)}')
            for f in listed if f.get("name") in present and (kind := f.get("type", "string")) != "number"]
    return out
