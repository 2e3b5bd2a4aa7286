"""The scale benchmark's data generator (bench/scale_data.py): valid, the size asked for, and deterministic."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from scale_data import CONTEXT, clone_indicators, generate  # noqa: E402

AREAS, INDICATORS, PERIODS = 5, 3, 3


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generated_data_is_valid_sized_and_deterministic(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    counts = generate(first, AREAS, INDICATORS, PERIODS)
    assert build.main(["--check", "--quiet", "--data", str(first),
                       "--content", str(ROOT / "tests" / "fixtures" / "site-small" / "content")]) == 0

    boards = [a for a in rows(first / "areas" / "areas.csv") if a["type"] == "icb"]
    assert len(boards) == AREAS == counts["areas"]
    indicators = [r["id"] for p in sorted(first.glob("*/indicators.csv")) for r in rows(p)]
    generated = [i for i in indicators if i not in CONTEXT]
    assert len(generated) == len(set(generated)) == INDICATORS == counts["indicators"]
    values = [r for p in sorted(first.glob("*/values.csv")) for r in rows(p)]
    assert len(values) == counts["values"]
    for ind in generated:
        mine = [r for r in values if r["indicator_id"] == ind]
        assert len({r["period"] for r in mine}) == PERIODS
        assert {r["area_code"] for r in mine} >= {b["code"] for b in boards} | {"E92000001"}

    generate(second, AREAS, INDICATORS, PERIODS)
    assert files(first) == files(second)


def test_copies_get_new_codes_names_and_ids(tmp_path):
    sources = len({c["original"] for c in clone_indicators(1000)})  # the demo packages' indicators, copied
    generate(tmp_path, 31, sources + 1, 1)  # more boards than the 29 sources, one indicator more than the sources
    boards = [a for a in rows(tmp_path / "areas" / "areas.csv") if a["type"] == "icb"]
    copies = [b for b in boards if "(copy 2)" in b["short_name"]]
    assert len(copies) == 2 and all(b["code"].startswith("E54002") for b in copies)
    assert len({b["slug"] for b in boards}) == len(boards)
    ids = [r["id"] for p in tmp_path.glob("*/indicators.csv") for r in rows(p)]
    assert sum(i.endswith("_c2") for i in ids) == 1
