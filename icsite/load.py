"""Find and read the inputs: data packages and markdown pages. No judgement here; `validate` judges."""

from __future__ import annotations

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
    read_errors: dict[str, str] = field(default_factory=dict)  # resource name -> why it could not be read

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
    packages = [read_package(p.parent) for p in sorted(config.data_dir.glob("*/datapackage.json"))]
    pages = [read_page(p, config.content_dir) for p in sorted(config.content_dir.rglob("*.md"))]
    return Sources(packages=packages, pages=pages)


def read_package(folder: Path) -> PackageSource:
    """Read a package descriptor and its CSV resources (unsafe or unreadable ones are left out, with a reason)."""
    source = PackageSource(name=folder.name, path=folder, descriptor=None)
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        if not isinstance(descriptor, dict):
            raise ValueError("the file must hold one JSON object")
    except (ValueError, UnicodeDecodeError) as exc:
        source.descriptor_error = str(exc)
        return source
    source.descriptor = descriptor
    source.name = str(descriptor.get("name") or folder.name)
    for res in descriptor.get("resources", []) or []:
        if not isinstance(res, dict) or not res.get("name"):
            continue
        reason = unsafe_path_reason(res.get("path"))
        if reason:
            source.read_errors[res["name"]] = reason
            continue
        try:
            source.tables[res["name"]] = read_table(folder / res["path"], res.get("schema", {}))
        except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            source.read_errors[res["name"]] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return source


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
    return pd.read_csv(path, dtype="str", keep_default_na=False, na_values=missing, encoding="utf-8",
                       encoding_errors="strict").pipe(_cast, columns)


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
