"""Find and read the inputs: data packages and markdown pages. No judgement here; `validate` judges."""

from __future__ import annotations

import re

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .config import Config

#: Table Schema type -> pandas dtype used to read the CSV (dates are parsed later, in `model`).
DTYPES = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "str", "date": "str",
          "datetime": "str", "year": "Int64", "any": "str"}


@dataclass
class PackageSource:
    """One data package as found on disk."""

    name: str
    path: Path  # the package folder
    descriptor: dict | None  # None when datapackage.json could not be read
    descriptor_error: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: resource name -> (problem code, message, line) for a resource that could not be read at all
    read_errors: dict[str, tuple[str, str, int | None]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)  # resource name -> the CSV header as written

    def resource(self, name: str) -> dict | None:
        """The descriptor of the named resource, if any."""
        for res in (self.descriptor or {}).get("resources", []):
            if res.get("name") == name:
                return res
        return None


@dataclass
class ContentPage:
    """A markdown page from `content/`."""

    source: Path
    slug: str  # URL path below the site root, e.g. "about" (→ about/index.html)
    meta: dict
    body: str
    error: str | None = None  # why the page could not be read, if it could not


@dataclass
class Sources:
    """Everything read from disk, before validation."""

    packages: list[PackageSource]
    pages: list[ContentPage]


def load(config: Config) -> Sources:
    """Read every data package under `config.data_dir` and every markdown page under `config.content_dir`."""
    folders = sorted(p for p in config.data_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    packages = [read_package(folder) for folder in folders]
    pages = [read_page(p, config.content_dir) for p in sorted(config.content_dir.rglob("*.md"))]
    return Sources(packages=packages, pages=pages)


def read_package(folder: Path) -> PackageSource:
    """Read a package descriptor and its CSV resources; a resource that cannot be read is left out, with why."""
    source = PackageSource(name=folder.name, path=folder, descriptor=None)
    descriptor_file = folder / "datapackage.json"
    if not descriptor_file.is_file():
        source.descriptor_error = "missing"
        return source
    try:
        descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
        if not isinstance(descriptor, dict):
            raise ValueError("the file must hold one JSON object, {...}")
    except (ValueError, UnicodeDecodeError) as exc:
        source.descriptor_error = str(exc)
        return source
    source.descriptor = descriptor
    source.name = str(descriptor.get("name") or folder.name)
    resources = descriptor.get("resources")
    for res in resources if isinstance(resources, list) else []:
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            continue
        reason = unsafe_path_reason(res.get("path"))
        if reason:
            source.read_errors[res["name"]] = ("resource-path-unsafe", reason, None)
            continue
        path = folder / res["path"]
        problem = unreadable_reason(path)
        if problem:
            source.read_errors[res["name"]] = problem
            continue
        schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
        try:
            table = read_table(path, schema)
        except (ValueError, pd.errors.ParserError) as exc:
            source.read_errors[res["name"]] = ("resource-unreadable", first_line(exc), None)
            continue
        source.headers[res["name"]] = list(table.columns)
        source.tables[res["name"]] = table
    return source


def unreadable_reason(path: Path) -> tuple[str, str, int | None] | None:
    """(code, message, line) when a resource file is missing or not UTF-8 text, else None."""
    if not path.is_file():
        return ("resource-missing", f"the file '{path.name}' does not exist in the package folder", None)
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return ("encoding-not-utf8", f"byte {exc.start} (0x{data[exc.start]:02x}) on line {line} is not UTF-8", line)
    control = CONTROL.search(data)
    if control:  # a NUL or other control character: not text, and it breaks the tools the values go on to
        line = data.count(b"\n", 0, control.start()) + 1
        return ("control-character", f"byte {control.start()} on line {line} is the control character "
                f"0x{data[control.start()]:02x}, which has no place in text", line)
    return None


CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls and DEL, except tab, line feed and CR


def first_line(exc: Exception) -> str:
    """The first line of an exception's message, or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def unsafe_path_reason(path) -> str | None:
    """Why a resource path may not be read (remote, absolute, leaves the package), or None when it is safe."""
    if not isinstance(path, str) or not path:
        return "the resource has no single 'path' (a relative file name inside the package is required)"
    if "://" in path:
        return f"the path '{path}' is on the network; resources must be files inside the package"
    if path.startswith(("/", "\\")) or ":" in path or ".." in Path(path).parts or "\\" in path:
        return f"the path '{path}' leaves the package; use a relative path inside the package folder"
    return None


def read_table(path: Path, schema: dict) -> pd.DataFrame:
    """Read a CSV with the dtypes its Table Schema declares; everything else as text."""
    columns = {f.get("name"): DTYPES.get(f.get("type", "string"), "str") for f in schema.get("fields", [])
               if isinstance(f, dict)}
    missing = schema.get("missingValues", [""])
    # blank lines are kept (as empty rows) so that a row's index + 2 is its line in the file
    options = dict(dtype="str", keep_default_na=False, na_values=missing, encoding="utf-8", encoding_errors="strict",
                   skip_blank_lines=False)
    try:
        frame = pd.read_csv(path, **options)
    except pd.errors.ParserError:
        # a row with too many cells: keep it, cut to the header's width (validation reports the extra cells)
        width = len(pd.read_csv(path, nrows=0, **options).columns)
        frame = pd.read_csv(path, engine="python", on_bad_lines=lambda cells: cells[:width], **options)
    return frame.pipe(_cast, columns)


def _cast(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Cast the declared numeric columns; cells that do not parse become missing (validation reports them)."""
    for name, dtype in columns.items():
        if name in frame.columns and dtype in ("float64", "Int64"):
            numbers = pd.to_numeric(frame[name], errors="coerce")
            if dtype == "Int64":
                numbers = numbers.where(numbers.isna() | (numbers == numbers.round())).astype("Float64").astype("Int64")
            frame[name] = numbers
    return frame


def read_page(path: Path, root: Path) -> ContentPage:
    """Read a markdown page with optional YAML front matter between `---` lines."""
    rel = path.relative_to(root).with_suffix("")
    slug = "" if rel.as_posix() == "index" else rel.as_posix().removesuffix("/index")
    meta: dict = {}
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            head, sep, body = text[4:].partition("\n---\n")
            if sep:
                loaded = yaml.safe_load(head)
                if loaded is not None and not isinstance(loaded, dict):
                    raise ValueError("the front matter must be 'key: value' lines")
                meta, text = loaded or {}, body
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return ContentPage(source=path, slug=slug, meta={}, body="", error=str(exc).splitlines()[0])
    return ContentPage(source=path, slug=slug, meta=meta, body=text)
