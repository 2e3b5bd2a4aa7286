"""Time the compute stage (intervals, comparisons, ranks with ranges, trends, peers, summaries), and measure memory.

    .venv/bin/python bench/compute_bench.py [--areas 1000 --indicators 200 --periods 10] [--runs 1]
    .venv/bin/python bench/compute_bench.py --data /tmp/scale-1000   # a data folder, e.g. from bench/scale_data.py

Two figures: the shipped data (target under 2 s) and a generated data set of the given size (target under 30 s
for 1,000 areas x 200 indicators x 10 periods). The generated set has proportions with counts; half of them
without published intervals, so the interval methods run too; plus the two context measures peers need; its text
columns are categories, as `load` reads them. Each line also gives the process's peak memory so far.

With --data, the build's stages up to compute on that folder instead, one line each: load, the checks of this
process (`first_checks`; Frictionless's cell checks run in another process during a build, and are left out),
model and compute, with the peak memory after each (target: at most 1.5 GB for 1,000 areas), then the size of
the computed values, in memory and pickled (as they go to the process that writes the data files).
"""

from __future__ import annotations

import argparse
import pickle
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from icsite.compute.comparisons import compute  # noqa: E402
from icsite.core.config import load_config  # noqa: E402
from icsite.core.standard import ENGLAND  # noqa: E402
from icsite.inputs.load import REPEATED, load  # noqa: E402
from icsite.inputs.model import (SiteData, build_model, canonical_areas, canonical_indicators,  # noqa: E402
                                 canonical_values, categorical)
from icsite.inputs.validate import first_checks  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data", type=Path, help="measure load, checks, model and compute on this data folder")
    args = parser.parse_args()
    if args.data:
        stages(args.data)
        return
    config, _ = load_config()
    shipped = build_model(load(config))
    report("shipped data", shipped, max(args.runs, 3))
    report(f"generated: {args.areas} areas x {args.indicators} indicators x {args.periods} periods",
           generated(args.areas, args.indicators, args.periods), args.runs)


def report(label: str, data: SiteData, runs: int) -> None:
    """Print the median wall time of `compute` over `runs` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        compute(data)
        times.append(time.perf_counter() - start)
    print(f"{label}: {len(data.values):,} values; compute median {statistics.median(times):.2f} s over {runs} run(s); "
          f"peak memory so far {peak_gb():.2f} GB")


def peak_gb() -> float:
    """The peak resident memory of this process so far, in GB (Linux counts it in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def stages(data_dir: Path) -> None:
    """Time load, the checks of this process, model and compute on a data folder, with the peak memory after each."""
    config, _ = load_config(data_dir=data_dir.resolve())
    print(f"{data_dir}: start, peak memory {peak_gb():.2f} GB")
    start = time.perf_counter()
    sources = load(config)
    start = lap("load", start)
    findings = first_checks(sources, config.data_dir)
    start = lap(f"checks ({len(findings.structure + findings.domain)} problem(s))", start)
    data = build_model(sources)
    start = lap(f"model ({len(data.values):,} values)", start)
    values = compute(data, min_events=config.min_events).values
    lap("compute", start)
    print(f"computed values: {values.memory_usage(deep=True).sum() / 1e6:,.0f} MB in memory, "
          f"{len(pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6:,.0f} MB pickled")


def lap(stage: str, start: float) -> float:
    """Print a stage's time and the peak memory so far; the time now."""
    now = time.perf_counter()
    print(f"{stage}: {now - start:.2f} s, peak memory so far {peak_gb():.2f} GB")
    return now


def generated(n_areas: int, n_indicators: int, n_periods: int) -> SiteData:
    """A synthetic model: England plus `n_areas` ICBs, monthly periods, proportions around 70%."""
    rng = np.random.default_rng(1)
    codes = [f"E54{i:06d}" for i in range(n_areas)]
    areas = pd.DataFrame({"code": [ENGLAND] + codes, "type": ["country"] + ["icb"] * n_areas,
                          "name": ["England"] + codes, "short_name": ["England"] + codes,
                          "slug": ["england"] + [c.lower() for c in codes], "parent_code": [None] + [ENGLAND] * n_areas,
                          "valid_from": "2020-01-01", "valid_to": None})
    ids = [f"ind_{i:03d}" for i in range(n_indicators)]
    indicators = pd.DataFrame({"id": ids, "title": ids, "short_title": ids, "domain": "healthy_lives", "unit": "%",
                               "polarity": rng.choice(["high_is_good", "low_is_good", "no_judgement"], n_indicators),
                               "value_type": "proportion", "multiplier": 100.0, "decimals": 1, "target": np.nan,
                               "illustrative": "true", "package": "bench"})
    months = pd.period_range("2024-01", periods=n_periods, freq="M")
    grid = pd.MultiIndex.from_product([ids, codes, range(n_periods)], names=["indicator_id", "area_code", "m"])
    v = grid.to_frame(index=False)
    den = rng.integers(500, 50_000, len(v))
    num = rng.binomial(den, rng.uniform(0.5, 0.9, len(v)))
    p = num / den
    half = 1.96 * np.sqrt(p * (1 - p) / den)
    published = rng.random(len(v)) < 0.5
    v = v.assign(period=months[v["m"]].strftime("%b %Y"), period_start=months[v["m"]].start_time,
                 period_end=months[v["m"]].end_time.normalize(), value=p * 100, numerator=num, denominator=den,
                 lower_ci=np.where(published, (p - half) * 100, np.nan), upper_ci=np.where(published, (p + half) * 100, np.nan),
                 status="final", note="").drop(columns="m")
    england = v.groupby(["indicator_id", "period", "period_start", "period_end"], as_index=False)[
        ["numerator", "denominator"]].sum().assign(area_code=ENGLAND, status="final", note="")
    england["value"] = england["numerator"] / england["denominator"] * 100
    context = pd.DataFrame({"indicator_id": np.repeat(["registered_population", "imd_score"], n_areas),
                            "area_code": codes * 2, "period": "2025", "period_start": pd.Timestamp("2025-01-01"),
                            "period_end": pd.Timestamp("2025-12-31"), "status": "final", "note": "",
                            "value": np.concatenate([rng.integers(300_000, 3_000_000, n_areas), rng.uniform(8, 40, n_areas)])})
    extra = pd.DataFrame({"id": ["registered_population", "imd_score"], "title": ["Population", "IMD"],
                          "short_title": ["Population", "IMD"], "domain": "context", "unit": ["people", "score"],
                          "polarity": "no_judgement", "value_type": ["count", "score"], "multiplier": 1.0,
                          "decimals": [0, 1], "target": np.nan, "illustrative": "false", "package": "bench"})
    values = pd.concat([v, england, context], ignore_index=True)
    values = values.assign(**{c: categorical(values[c]) for c in sorted(REPEATED["values"])  # text, as `load` reads it
                              if pd.api.types.is_string_dtype(values[c])})
    return SiteData(areas=canonical_areas(areas), successions=pd.DataFrame(
        columns=["predecessor_code", "successor_code", "date", "kind", "note"]),
        indicators=canonical_indicators(pd.concat([indicators, extra], ignore_index=True)),
        values=canonical_values(values), packages=[])


if __name__ == "__main__":
    main()
