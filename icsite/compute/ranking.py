"""Ranks with their uncertainty. Pure: no I/O.

A rank is only as certain as the values behind it. For each indicator and period we draw every ICS's value many
times from a normal distribution with its published 95% interval (standard error = interval width / 3.92), rank
each draw, and report the range holding the middle 95% of each ICS's simulated ranks: "ranked 12th; could be
anywhere from 7th to 19th" (the method of Goldstein and Spiegelhalter, 1996, J R Stat Soc A 159:385-443, as used in
league tables with uncertainty). The random generator is seeded from the indicator and period, so the same data
always give the same ranges.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from icsite.core.standard import ranking_polarity

Z95 = 1.959963984540054
DRAWS = 100_000  # values drawn per indicator and period: more simulations for fewer ICSs, within the bounds below
MIN_SIMS, MAX_SIMS = 100, 500


def add_ranks(values: pd.DataFrame) -> pd.DataFrame:
    """`rank` (1 best; ties share the best rank), `rank_of`, `rank_lowest` and `rank_highest` on ICB rows.

    Ranked are the ICBs with a published value in the period (areas that existed then, by validation). Where there
    is no judgement, and for counts, 1 is the highest value. The range is empty where the ICSs' values have no
    intervals.
    """
    out = values.copy(deep=False)
    ranked = ((out["area_type"] == "icb") & out["value"].notna() & (out["status"] != "suppressed")).to_numpy()
    rows = np.flatnonzero(ranked)
    # each ranked row's indicator and period (-1: one of them missing, so not ranked)
    group = out.iloc[rows].groupby(["indicator_id", "period"], sort=False, observed=True).ngroup().to_numpy()
    rows, group = rows[group >= 0], group[group >= 0]
    value, lower, upper = (out[c].to_numpy(float)[rows] for c in ("value", "lower_ci", "upper_ci"))
    # a count is ranked by size, never best to worst
    polarity = out["polarity"].astype(object).mask(out["value_type"] == "count", ranking_polarity("", "count"))
    low_is_good = (polarity == "low_is_good").to_numpy()[rows]
    rank = pd.Series(np.where(low_is_good, value, -value)).groupby(group).rank(method="min").to_numpy()
    counts = np.bincount(group)
    lowest, highest = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    order = np.argsort(group, kind="stable")  # each group's rows together, in their order
    firsts = rows[order[np.concatenate([[0], np.cumsum(counts)[:-1]])]] if len(rows) else rows
    labels = zip(out["indicator_id"].take(firsts), out["period"].take(firsts), polarity.take(firsts))
    for members, (indicator, period, polarity) in zip(np.split(order, np.cumsum(counts)[:-1]), labels):
        lowest[members], highest[members] = rank_range(value[members], lower[members], upper[members], polarity,
                                                       f"{indicator}|{period}")
    ranges, everywhere = ~np.isnan(highest), np.ones(len(rows), dtype=bool)
    for name, numbers, present in (("rank", rank, everywhere), ("rank_of", counts[group], everywhere),
                                   ("rank_lowest", np.fmin(lowest, rank), ranges),
                                   ("rank_highest", np.fmax(highest, rank), ranges)):
        data, missing = np.zeros(len(out), dtype=np.int64), np.ones(len(out), dtype=bool)
        data[rows] = np.where(present, numbers, 0)
        missing[rows] = ~present
        out[name] = pd.arrays.IntegerArray(data, missing)
    return out


def rank_range(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, polarity: str, seed_text: str):
    """(lowest, highest) plausible rank of each area: the 2.5th and 97.5th percentiles of simulated ranks."""
    n = len(value)
    se = (upper - lower) / (2 * Z95)
    if n == 0 or np.isnan(se).all():
        return np.full(n, np.nan), np.full(n, np.nan)
    se = np.nan_to_num(se, nan=0.0).clip(min=0.0)  # a value without an interval is taken as exact
    sims = int(np.clip(DRAWS // max(n, 1), MIN_SIMS, MAX_SIMS))
    rng = np.random.default_rng(zlib.crc32(seed_text.encode("utf-8")))
    noise = rng.standard_normal((sims, n), dtype=np.float32)  # single precision: ample for ranking, twice as fast
    draws = value.astype(np.float32)[None, :] + se.astype(np.float32)[None, :] * noise  # one row per simulation
    order = np.argsort(draws if polarity == "low_is_good" else -draws, axis=1)
    ranks = np.empty((sims, n), dtype=np.int32)
    np.put_along_axis(ranks, order, np.arange(1, n + 1, dtype=np.int32)[None, :].repeat(sims, axis=0), axis=1)
    low_k, high_k = int(0.025 * (sims - 1)), int(np.ceil(0.975 * (sims - 1)))
    ranks = np.partition(ranks, (low_k, high_k), axis=0)
    return ranks[low_k].astype(float), ranks[high_k].astype(float)
