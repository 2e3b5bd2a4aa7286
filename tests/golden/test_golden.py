"""Golden test: the fixture site, built with a pinned date, matches the committed expected tree file by file."""

import difflib

from golden import EXPECTED, build_fixture, presence_only, tree


def test_fixture_site_matches_expected(tmp_path):
    out = tmp_path / "site"
    assert build_fixture(out) == 0
    built, expected = tree(out), tree(EXPECTED)
    assert sorted(built) == sorted(expected), "files added or missing; regenerate with tests/golden/regenerate.py"
    problems = []
    for rel, path in built.items():
        if presence_only(rel):
            assert path.stat().st_size > 0, rel
            continue
        new, old = path.read_bytes(), expected[rel].read_bytes()
        if new != old:
            try:
                diff = difflib.unified_diff(old.decode().splitlines(), new.decode().splitlines(),
                                            f"expected/{rel}", f"built/{rel}", lineterm="", n=1)
                problems.append("\n".join(list(diff)[:40]))
            except UnicodeDecodeError:
                problems.append(f"{rel}: binary content differs")
    assert not problems, "\n\n".join(problems)


def test_build_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert build_fixture(a) == 0 and build_fixture(b) == 0
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    assert [rel for rel in ta if ta[rel].read_bytes() != tb[rel].read_bytes()] == []
