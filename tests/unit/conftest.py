"""Fixtures shared by the importer tests: no network, and a data folder holding only the area registry."""

import shutil
import socket
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "importers"


@pytest.fixture
def no_network(monkeypatch):
    """Fail any test that tries to reach the network (the importers are tested on recorded responses). Sockets of
    this machine's own (Unix sockets, which the build's worker processes use) still connect."""
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    connect = socket.socket.connect

    def local_only(self, address):
        if self.family != socket.AF_UNIX:
            refuse()
        return connect(self, address)

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket.socket, "connect", local_only)


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A data folder holding only the project's area registry; the importer fixtures folder as working directory."""
    folder = tmp_path / "datapackages"
    shutil.copytree(ROOT / "datapackages" / "areas", folder / "areas", ignore=shutil.ignore_patterns("releases"))
    monkeypatch.chdir(FIXTURES)
    return folder.resolve()
