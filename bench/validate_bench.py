"""Time the validation (`build.py --check`) of a generated 1,000,000-row values file.

    .venv/bin/python bench/validate_bench.py [--rows 1000000] [--runs 1]

The package is generated, valid and realistic: proportions with integer numerators and denominators and Wilson
95% intervals, for the boards, regions and England valid from April 2023 to March 2026, monthly, for as many
indicators as the row count needs. It uses the shipped area registry. Both layers run: Frictionless and the
domain checks. The figure is wall time in this process (no Python start-up).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from icsite.core.config import load_config  # noqa: E402
from icsite.commands.build import check  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "datapackages"
        rows = make_data(data, args.rows)
        size = (data / "bench" / "values.csv").stat().st_size
        config, _ = load_config(data_dir=data, content_dir=ROOT / "content")
        times, problems = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            problems = check(config)
            times.append(time.perf_counter() - start)
    errors = [p for p in problems if p.severity == "error"]
    print(f"values.csv: {rows:,} rows, {size / 1e6:.1f} MB; problems found: {len(problems)} ({len(errors)} errors)")
    print(f"validation wall time over {args.runs} run(s): median {statistics.median(times):.2f} s "
          f"({statistics.median(times) / rows * 1e6:.1f} µs per row)")


def make_data(data: Path, target_rows: int) -> int:
    """Write the shipped area registry and one generated indicator package; return the number of value rows."""
    shutil.copytree(ROOT / "datapackages" / "areas", data / "areas")
    areas = pd.read_csv(data / "areas" / "areas.csv", dtype=str, keep_default_na=False)
    months = pd.period_range("2023-04", "2026-03", freq="M")
    valid = areas[(areas["valid_from"] <= "2023-04-01") & ((areas["valid_to"] == "") | (areas["valid_to"] >= "2026-03-31"))]
    codes = sorted(valid["code"])
    n_ind = -(-target_rows // (len(codes) * len(months)))
    ids = [f"bench_{i:04d}" for i in range(n_ind)]
    rng = np.random.default_rng(2026)
    grid = pd.MultiIndex.from_product([ids, codes, range(len(months))], names=["indicator_id", "area_code", "m"])
    frame = grid.to_frame(index=False)  # whole blocks, so every period keeps its England row
    denominator = rng.integers(1_000, 200_000, len(frame))
    numerator = rng.binomial(denominator, rng.uniform(0.4, 0.95, len(frame)))
    p = numerator / denominator
    z = 1.959963984540054
    centre = (p + z * z / (2 * denominator)) / (1 + z * z / denominator)
    half = z * np.sqrt(p * (1 - p) / denominator + z * z / (4 * denominator ** 2)) / (1 + z * z / denominator)
    period = months[frame["m"].to_numpy()]
    frame = frame.assign(
        period=period.strftime("%b %Y"), period_start=period.start_time.strftime("%Y-%m-%d"),
        period_end=period.end_time.strftime("%Y-%m-%d"), value=np.round(p * 100, 4),
        lower_ci=np.round((centre - half) * 100, 4), upper_ci=np.round((centre + half) * 100, 4),
        numerator=numerator, denominator=denominator, status="final", note="").drop(columns="m")
    frame["lower_ci"] = np.minimum(frame["lower_ci"], frame["value"])
    frame["upper_ci"] = np.maximum(frame["upper_ci"], frame["value"])
    package = data / "bench"
    package.mkdir(parents=True)
    frame.to_csv(package / "values.csv", index=False, lineterminator="\n")
    template = json.loads((ROOT / "datapackages" / "urgent-emergency-care" / "datapackage.json").read_text())
    indicators = pd.read_csv(ROOT / "datapackages" / "urgent-emergency-care" / "indicators.csv", dtype=str,
                             keep_default_na=False)
    row = indicators[indicators["id"] == "ae_4hr"].iloc[0]
    pd.DataFrame([row.to_dict() | {"id": i, "title": f"Benchmark indicator {i}", "short_title": i} for i in ids]).to_csv(
        package / "indicators.csv", index=False, lineterminator="\n")
    template["name"] = "bench"
    (package / "datapackage.json").write_text(json.dumps(template, indent=2))
    return len(frame)


if __name__ == "__main__":
    main()
