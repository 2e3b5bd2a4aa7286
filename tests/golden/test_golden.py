"""Golden test: the fixture site, built with a pinned date, matches the committed expected tree file by file.

Chart specs, SVGs and PNGs are compared byte for byte like every other file (golden.py says why they can be).
"""

import difflib

from golden import EXPECTED, build_fixture, png_size, presence_only, tree


def difference(rel: str, old: bytes, new: bytes) -> str:
    """What differs between the expected and the built file, briefly: a text diff, or a PNG's sizes."""
    if rel.endswith(".png"):
        before, after = png_size(old), png_size(new)
        sizes = f"{before[0]}x{before[1]} expected, {after[0]}x{after[1]} built" if before and after else "not a PNG"
        return f"{rel}: pixels differ ({sizes})"
    try:
        diff = difflib.unified_diff(old.decode().splitlines(), new.decode().splitlines(),
                                    f"expected/{rel}", f"built/{rel}", lineterm="", n=1)
        return "\n".join(list(diff)[:40]) or f"{rel}: line endings differ"
    except UnicodeDecodeError:
        return f"{rel}: binary content differs"


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
            problems.append(difference(rel, old, new))
    assert not problems, "\n\n".join(problems)


def test_build_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert build_fixture(a) == 0 and build_fixture(b) == 0
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    assert [rel for rel in ta if ta[rel].read_bytes() != tb[rel].read_bytes()] == []
