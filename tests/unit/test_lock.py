"""requirements.lock pins every dependency (the test and pdf extras too), with hashes, at versions pyproject.toml
allows; and the environment the tests run in is the locked one (so two machines that ran `make` build the same
bytes)."""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for the pins of requirements.lock that apply to this Python."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=\S)", text):
        first = entry.split("\\\n")[0].strip()
        if not first or first.startswith("#"):
            continue
        requirement, _, marker = first.partition(";")
        name, _, version = requirement.strip().partition("==")
        assert version, f"not pinned with ==: {first}"
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        pins[canonicalize_name(name)] = (version.strip(), re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in project["dependencies"] + extras["test"] + extras["pdf"]]


def test_every_declared_dependency_is_locked_at_a_version_it_allows():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements.lock has {name}=={pins[name][0]}, which pyproject.toml's {requirement} excludes: "
            "run `make lock`")


def test_every_pin_has_hashes():
    for name, (version, hashes) in locked().items():
        assert hashes, f"{name}=={version} has no --hash: pip's --require-hashes would refuse the lock"


def test_the_tests_run_in_the_locked_environment():
    """What is installed is what is locked: a venv made another way could build other bytes."""
    differ = {}
    for name, (version, _) in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            differ[name] = (version, installed)
    assert not differ, f"installed versions differ from requirements.lock (locked, installed): {differ}; " \
                       f"run `make deps` ({sys.executable})"
