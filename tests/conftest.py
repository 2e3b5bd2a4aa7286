"""Shared test set-up: the repository root on sys.path (so `import build` and `import icsite` work), the `slow`
marker on the tests that build whole sites or drive a browser, and the shipped site, built once per session for
every test that reads it (the unit tests of its pages and downloads, and the browser tests)."""

import contextlib
import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: where the site is published on GitHub project pages; the shipped site is built for it, so a link that forgets
#: the base path fails the tests as it would fail there
BASE_PATH = "/ics-outcomes/"

#: test files that build whole sites (the shipped data, or the fixture site many times), drive a browser or explore
#: many generated inputs: `make test` runs them; `make test-fast` (`pytest -m "not slow"`) leaves them out
SLOW_FILES = {"test_shipped_site.py", "test_golden.py", "test_property.py", "test_invalid_fixtures.py",
              "test_determinism.py", "test_cli.py", "test_outputs_and_exits.py", "test_hostile_inputs.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if path.name in SLOW_FILES or "browser" in path.parts:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Path:
    """The shipped data, content and theme, built once (under BASE_PATH) into a temporary folder."""
    import build

    out = tmp_path_factory.mktemp("shipped") / "ics-outcomes"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = build.main(["--out", str(out), "--base-url", BASE_PATH, "--quiet"])
    assert status == 0, f"build.py exited {status}:\n{stdout.getvalue()}{stderr.getvalue()}"
    assert (out / "index.html").is_file(), "the build reported success but wrote no index.html"
    return out
