"""Find and read the inputs: data packages, their archived releases and markdown pages. No judgement here;
`validate` judges.

Every file is opened the same guarded way (`guard`: inside its root, a regular file, within its size limit, a CSV
file scanned before it is parsed). A file refused is never opened again, nor quoted.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from icsite.core.config import Config
from icsite.inputs.guard import (MAX_DESCRIPTOR_BYTES, MAX_PAGE_BYTES, MAX_RESOURCE_BYTES, Refused, checked_file,
                                 inside, read_checked, scan)

DESCRIPTOR = "datapackage.json"
RELEASES = "releases"  # the folder of a package's archived releases, one folder per version
SNAPSHOT = "comparisons.csv"  # the published comparisons kept with each archived release
KEY = ["indicator_id", "area_code", "period"]  # one value of a release
SNAPSHOT_COLUMNS = KEY + ["value", "compared_to_england"]
#: the columns the release history reads from an archived release's files (validation checks they are there)
NEEDED_COLUMNS = {"values": KEY, "indicators": ["id"], SNAPSHOT: SNAPSHOT_COLUMNS}

#: Table Schema type -> pandas dtype used to read the CSV (dates are parsed later, in `model`).
DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "str", "date": "str",
          "datetime": "str", "year": "Int64", "any": "str"}
#: text columns repeated on every row of a resource (ids, codes, periods, statuses), when the schema reads them as
#: text: held as pandas categories, each distinct text once, the categories sorted (see `model.categorical`)
REPEATED = {"values": {"indicator_id", "area_code", "period", "period_start", "period_end", "status", "note"}}


@dataclass
class PackageSource:
    """One data package (or one archived release of one) as found on disk."""

    name: str
    path: Path  # the package folder
    descriptor: dict | None  # None when datapackage.json could not be read
    descriptor_error: str | None = None  # "missing", or why the descriptor could not be read
    descriptor_code: str = "package-invalid-json"  # the problem code of `descriptor_error`
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: resource name -> (problem code, message, line) for a resource that could not be read at all
    read_errors: dict[str, tuple[str, str, int | None]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)  # resource name -> the CSV header as written
    releases: list[ReleaseSource] = field(default_factory=list)  # the archived releases, oldest folder name first

    def resource(self, name: str) -> dict | None:
        """The descriptor of the named resource, if any."""
        for res in self.resources():
            if res.get("name") == name:
                return res
        return None

    def resources(self) -> list[dict]:
        """The descriptor's resources that are objects (others are the descriptor's problem, not a file's)."""
        resources = (self.descriptor or {}).get("resources")
        return [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []


@dataclass
class ReleaseSource(PackageSource):
    """An archived release, `<package>/releases/<version>/`: the package as released (its tables read as text, as
    the release history reads them) and the comparisons published with it (`comparisons.csv`)."""

    comparisons: pd.DataFrame | None = None  # None when the release has no comparisons.csv, or it is unreadable
    comparisons_error: tuple[str, str, int | None] | None = None


@dataclass
class ContentPage:
    """A markdown page from `content/`."""

    source: Path
    slug: str  # URL path below the site root, e.g. "about" (→ about/index.html)
    meta: dict
    body: str
    error: str | None = None  # why the page could not be read, if it could not
    error_code: str = "page-unreadable"  # the problem code of `error`


@dataclass
class Sources:
    """Everything read from disk, before validation."""

    packages: list[PackageSource]
    pages: list[ContentPage]


def load(config: Config) -> Sources:
    """Read every data package under `config.data_dir` and every markdown page under `config.content_dir`."""
    folders = sorted(p for p in config.data_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    packages = [read_package(folder, config.data_dir) for folder in folders]
    pages = [read_page(p, config.content_dir) for p in sorted(config.content_dir.rglob("*.md"))]
    return Sources(packages=packages, pages=pages)


# --- A package's files, checked (see `guard`) --------------------------------------------------------------------

def descriptor_file(folder: Path) -> Path:
    """A package's (or a release's) datapackage.json, checked (see `checked_file`)."""
    return checked_file(folder, DESCRIPTOR, "package-path-unsafe", "package-descriptor-missing",
                        MAX_DESCRIPTOR_BYTES)


def snapshot_file(folder: Path) -> Path:
    """An archived release's comparisons.csv, checked (see `checked_file`)."""
    return checked_file(folder, SNAPSHOT, "resource-path-unsafe", "resource-missing", MAX_RESOURCE_BYTES)


def folder_inside(folder: Path, parent: Path) -> None:
    """Refused (package-path-unsafe) unless `folder` lies inside `parent` once links are followed."""
    where = os.path.relpath(folder, parent)
    if inside(parent, where) is None:
        raise Refused("package-path-unsafe", f"the folder '{where}' leads outside '{parent.name}' (a link to a "
                                             "folder elsewhere), so it is not read")


def resource_file(folder: Path, path) -> Path:
    """A resource's file, checked: a safe relative path (`unsafe_path_reason`), then `checked_file`."""
    reason = unsafe_path_reason(path)
    if reason:
        raise Refused("resource-path-unsafe", reason)
    return checked_file(folder, path, "resource-path-unsafe", "resource-missing", MAX_RESOURCE_BYTES)


# --- Data packages -----------------------------------------------------------------------------------------------

def read_package(folder: Path, parent: Path | None = None) -> PackageSource:
    """Read a package descriptor and its CSV resources; a resource that cannot be read is left out, with why.

    With `parent` (the data folder), the package folder must lie inside it. Archived releases are read too.
    """
    source = PackageSource(name=folder.name, path=folder, descriptor=None)
    if read_descriptor(source, parent):
        source.name = str(source.descriptor.get("name") or folder.name)
        for res in source.resources():
            read_resource(source, res, text=False)
        source.releases = [read_release(f, folder) for f in release_folders(folder)]
    return source


def read_descriptor(source: PackageSource, parent: Path | None) -> bool:
    """Read `source.path`/datapackage.json into `source.descriptor`; False (with why) when it cannot be."""
    folder = source.path
    try:
        if parent is not None:
            folder_inside(folder, parent)
        descriptor = json.loads(read_checked(descriptor_file(folder), MAX_DESCRIPTOR_BYTES).decode("utf-8"))
        if not isinstance(descriptor, dict):
            raise ValueError("the file must hold one JSON object, {...}")
    except Refused as refused:
        source.descriptor_code = refused.code
        source.descriptor_error = "missing" if refused.code == "package-descriptor-missing" else refused.message
        return False
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        source.descriptor_error = f"not valid JSON: {first_line(exc)}"
        return False
    source.descriptor = descriptor
    return True


def read_resource(source: PackageSource, res: dict, text: bool) -> None:
    """Read one resource into `source.tables` (with its schema's types, or all `text`), or its read error."""
    name = res.get("name")
    if not isinstance(name, str):
        return
    try:
        path = resource_file(source.path, res.get("path"))
        scan(path)
        schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
        table = read_text_table(path) if text else read_table(path, schema, REPEATED.get(name, set()))
    except Refused as refused:
        source.read_errors[name] = refused.reason()
        return
    except (ValueError, pd.errors.ParserError) as exc:
        source.read_errors[name] = ("resource-unreadable", first_line(exc), None)
        return
    source.headers[name] = list(table.columns)
    source.tables[name] = table


def release_folders(package_folder: Path) -> list[Path]:
    """The folders of a package's archived releases: those in releases/ with a datapackage.json (not hidden)."""
    root = package_folder / RELEASES
    if not root.is_dir():
        return []
    return sorted(f for f in root.iterdir()
                  if not f.name.startswith(".") and f.is_dir() and os.path.lexists(f / DESCRIPTOR))


def read_release(folder: Path, package_folder: Path) -> ReleaseSource:
    """Read one archived release as the release history reads it: resources and comparisons.csv as text."""
    source = ReleaseSource(name=folder.name, path=folder, descriptor=None)
    if not read_descriptor(source, package_folder):
        return source
    for res in source.resources():
        read_resource(source, res, text=True)
    if os.path.lexists(folder / SNAPSHOT):
        try:
            path = snapshot_file(folder)
            scan(path)
            source.comparisons = read_text_table(path)
        except Refused as refused:
            source.comparisons_error = refused.reason()
        except (ValueError, pd.errors.ParserError) as exc:
            source.comparisons_error = ("resource-unreadable", first_line(exc), None)
    return source


# --- Reading CSV files ------------------------------------------------------------------------------------------

def first_line(exc: Exception) -> str:
    """The first line of an exception's message, or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def unsafe_path_reason(path) -> str | None:
    """Why a resource path may not be read (remote, absolute, leaves the package, not a .csv file name), or None
    when it is safe to look for inside the package (`checked_file` then follows its links)."""
    if not isinstance(path, str) or not path:
        return "the resource has no single 'path' (a relative file name inside the package is required)"
    if "://" in path:
        return f"the path '{path}' is on the network; resources must be files inside the package"
    if path.startswith(("/", "\\")) or ":" in path or ".." in Path(path).parts or "\\" in path:
        return f"the path '{path}' leaves the package; use a relative path inside the package folder"
    if any(ord(c) < 32 or ord(c) == 127 for c in path) or not path.lower().endswith(".csv"):
        return f"the path '{path}' is not the name of a .csv file"
    return None


#: a package's or a resource's name (Frictionless's pattern, without '/' and without '..'): it becomes part of the
#: site's addresses, e.g. data/<package>/
NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
#: a version (1.0.0, 2026.1, 1.0.0-rc.1): it names the release's folder, in the repository and in the site
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


def unsafe_name_reason(name) -> str | None:
    """Why a package or resource name cannot be part of an address, or None."""
    if isinstance(name, str) and NAME.fullmatch(name) and ".." not in name and len(name) <= 100:
        return None
    return ("a name is at most 100 lower-case letters, digits, '.', '_' and '-', starting with a letter or digit "
            "(no '/' or '..')")


def unsafe_version_reason(version) -> str | None:
    """Why a version (None: none given) cannot name a release folder, or None."""
    if version is None:
        return "the package has no version"
    if isinstance(version, (str, int, float)) and not isinstance(version, bool):
        text = str(version)
        if VERSION.fullmatch(text) and ".." not in text and len(text) <= 50:
            return None
    return ("a version is at most 50 letters, digits, '.', '_', '+' and '-', starting with a letter or digit, like "
            "1.2.0 (no '/' or '..')")


def read_text_table(source) -> pd.DataFrame:
    """A CSV file (a path, or a file object of its bytes) as text cells, as the release history reads it."""
    return pd.read_csv(source, dtype=str, keep_default_na=False)


def read_table(path: Path, schema: dict, repeated: set[str] = frozenset()) -> pd.DataFrame:
    """Read a CSV with the dtypes its Table Schema declares; everything else as text (a schema that is not well
    formed is read as far as it is: Frictionless reports what is wrong with it). Text columns named in `repeated`
    are read as categories."""
    fields = schema.get("fields") if isinstance(schema.get("fields"), list) else []
    columns = {f.get("name"): DTYPES.get(f.get("type", "string"), "str") for f in fields
               if isinstance(f, dict) and isinstance(f.get("type", "string"), str)}
    missing = schema.get("missingValues", [""])
    missing = missing if isinstance(missing, list) and all(isinstance(m, str) for m in missing) else [""]
    # blank lines are kept (as empty rows) so that a row's index + 2 is its line in the file
    options = dict(dtype="str", keep_default_na=False, na_values=missing, encoding="utf-8", encoding_errors="strict",
                   skip_blank_lines=False)
    try:
        frame = pd.read_csv(path, **options)
    except pd.errors.ParserError:
        # a row with too many cells: keep it, cut to the header's width (validation reports the extra cells)
        width = len(pd.read_csv(path, nrows=0, **options).columns)
        frame = pd.read_csv(path, engine="python", on_bad_lines=lambda cells: cells[:width], **options)
    # read as text, then made categories: pandas would read "2023" as a category 2023, a number
    categories = {name: "category" for name in repeated if name in frame and columns.get(name) == "str"}
    return frame.pipe(_cast, columns).astype(categories)


def _cast(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Cast the declared numeric columns; cells that do not parse become missing (validation reports them)."""
    for name, dtype in columns.items():
        if name in frame.columns and dtype in ("float64", "Int64"):
            numbers = pd.to_numeric(frame[name], errors="coerce")
            if dtype == "Int64":
                numbers = numbers.where(numbers.isna() | (numbers == numbers.round())).astype("Float64").astype("Int64")
            frame[name] = numbers
    return frame


# --- Content pages ----------------------------------------------------------------------------------------------

class AliasRefused(yaml.YAMLError):
    """Front matter that uses a YAML alias (*name)."""


class FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: an alias may repeat a node exponentially often ("billion laughs"), and
    front matter never needs one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise AliasRefused(f"the front matter uses the alias '*{self.peek_event().anchor}'")
        return super().compose_node(parent, index)


def read_page(path: Path, root: Path) -> ContentPage:
    """Read a markdown page with optional YAML front matter between `---` lines (the page must lie in `root`)."""
    rel = path.relative_to(root).with_suffix("")
    slug = "" if rel.as_posix() == "index" else rel.as_posix().removesuffix("/index")
    try:
        file = checked_file(root, path.relative_to(root), "page-path-unsafe", "page-unreadable", MAX_PAGE_BYTES)
        meta, body = front_matter(read_checked(file, MAX_PAGE_BYTES).decode("utf-8"))
    except Refused as refused:
        return ContentPage(source=path, slug=slug, meta={}, body="", error=refused.message, error_code=refused.code)
    except AliasRefused as exc:
        return ContentPage(source=path, slug=slug, meta={}, body="", error=str(exc), error_code="page-yaml-alias")
    except (UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
        return ContentPage(source=path, slug=slug, meta={}, body="", error=first_line(exc))
    return ContentPage(source=path, slug=slug, meta=meta, body=body)


def front_matter(text: str) -> tuple[dict, str]:
    """(the front matter as a dict, the markdown after it); ({}, text) for a page without front matter."""
    if not text.startswith("---\n"):
        return {}, text
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        return {}, text
    loaded = yaml.load(head, Loader=FrontMatterLoader)  # noqa: S506 (a safe loader, without aliases)
    if loaded is not None and not isinstance(loaded, dict):
        raise ValueError("the front matter must be 'key: value' lines")
    return loaded or {}, body
