"""Property: whatever happens to a valid package, the build reports or builds; it never crashes or half-writes."""

import hashlib
import shutil
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

import build
from icsite.publish.folder import MARKER_TEXT, SITE_MARKER

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site-small"
FILES = ["urgent-care-sample/values.csv", "urgent-care-sample/indicators.csv", "urgent-care-sample/datapackage.json",
         "areas/areas.csv", "areas/successions.csv", "areas/datapackage.json"]
NASTY = ["", "n/a", "-1", "1e309", "NaN", "=HYPERLINK(\"x\")", "2026-13-45", "E54000042", "suppressed", "\"", ",",
         "ünïcødé", "0", "100000000000000000000", " ", "null", "{", "]", "true"]


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


corruption = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, 200), st.integers(0, 15), st.sampled_from(NASTY)),
    st.tuples(st.just("delete-line"), st.integers(0, 200)),
    st.tuples(st.just("duplicate-line"), st.integers(0, 200)),
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("bytes"), st.integers(0, 10_000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete-file")),
)


def corrupt(path: Path, how: tuple) -> None:
    """Apply one corruption to one file."""
    kind = how[0]
    if kind == "delete-file":
        path.unlink()
        return
    data = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(data[: int(len(data) * how[1])])
    elif kind == "bytes":
        at = how[1] % (len(data) + 1)
        path.write_bytes(data[:at] + how[2] + data[at:])
    else:
        lines = data.decode("utf-8", errors="surrogateescape").split("\n")  # earlier changes may have broken UTF-8
        i = how[1] % len(lines)
        if kind == "delete-line":
            del lines[i]
        elif kind == "duplicate-line":
            lines.insert(i, lines[i])
        else:  # replace one comma-separated cell (JSON files get a text splice instead, just as brutal)
            cells = lines[i].split(",")
            cells[how[2] % len(cells)] = how[3]
            lines[i] = ",".join(cells)
        path.write_bytes("\n".join(lines).encode("utf-8", errors="surrogateescape"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(FILES), changes=st.lists(corruption, min_size=1, max_size=3))
@example(target="urgent-care-sample/values.csv", changes=[("truncate", 0.22372133733143157)])  # no England row left
def test_corrupted_packages_are_reported_or_built_never_crash(tmp_path_factory, target, changes):
    root = tmp_path_factory.mktemp("case")
    data = root / "datapackages"
    shutil.copytree(FIXTURE / "datapackages", data)
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("previous site", encoding="utf-8")
    (site / SITE_MARKER).write_bytes(MARKER_TEXT)  # an earlier build's site, which a build may replace
    before = snapshot(site)
    for how in changes:
        if (data / target).exists():
            corrupt(data / target, how)
    argv = ["--data", str(data), "--content", str(FIXTURE / "content"), "--out", str(site), "--quiet"]
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = build.main(argv)
    report = err.getvalue()
    assert "Build failed unexpectedly" not in report, report
    assert code in (0, 1), report
    if code == 1:
        assert "problem(s))" in report and "Nothing was written" in report
        assert snapshot(site) == before
    else:
        assert (site / "index.html").read_text(encoding="utf-8") != "previous site"
        assert (site / "ics" / "index.html").is_file() and (site / "data" / "index.html").is_file()
    assert sorted(p.name for p in root.iterdir()) == ["datapackages", "site"], "staging folder left behind"
