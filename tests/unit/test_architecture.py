"""The code's shape: icsite/ is one folder per stage, no stage imports a later one, and no module is too long.

The stages, in the order a build runs them (a module may import from its own stage and earlier ones):

    core < inputs < compute < charts < datasets < pages < outputs < publish < importers < commands

`importers` turn other people's files into data packages and keep the release they replace (which computes it), so
they come after the stages a build runs; only the commands use them.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "icsite"
ORDER = ["core", "inputs", "compute", "charts", "datasets", "pages", "outputs", "publish", "importers", "commands"]
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def stage_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def imported_stages(path: Path) -> list[tuple[int, str, str]]:
    """(line, module imported, its stage) for every icsite import in a module, module-level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(("icsite",) + path.relative_to(PACKAGE).parts[:-1])
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] if node.module or node.level == 0 else [f"{target}.{a.name}" for a in node.names]
            if target == "icsite":  # from icsite import inputs
                names = [f"icsite.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "icsite" and len(parts) > 1:
                found.append((node.lineno, name, parts[1]))
    return found


def test_every_module_lives_in_a_stage_folder():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"modules outside a stage folder: {loose} (put each in one of {ORDER})"
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == sorted(ORDER), f"stage folders {folders} differ from the documented order {ORDER}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_a_later_one(path):
    stage = stage_of(path)
    if stage is None:
        return
    later = [f"line {line}: {name} ({imported} comes after {stage})"
             for line, name, imported in imported_stages(path)
             if imported in ORDER and ORDER.index(imported) > ORDER.index(stage)]
    assert not later, f"{path.relative_to(PACKAGE.parent)} imports a later stage:\n" + "\n".join(later)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines (at most {MAX_LINES}): split it"


def test_the_checker_sees_a_later_import(tmp_path, monkeypatch):
    """The rule can fail: an inputs module that imports pages is caught, at module level or in a function."""
    fake = tmp_path / "icsite" / "inputs" / "bad.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ..pages.contexts import Link\n\ndef f():\n    from icsite.publish import folder\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "icsite")
    stages = [(line, stage) for line, _, stage in imported_stages(fake)]
    assert stages == [(1, "pages"), (4, "publish")]


def test_readme_layout_names_every_stage_folder():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Code layout"):]
    layout = layout[:layout.index("\n## ")]
    missing = [stage for stage in ORDER if not re.search(rf"^ +{stage}/ ", layout, re.M)]
    assert not missing, f"README's code layout does not name: {missing}"
