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

Z95 = 1.959963984540054
DRAWS = 100_000  # values drawn per indicator and period: more simulations for fewer ICSs, within the bounds below
MIN_SIMS, MAX_SIMS = 100, 500


def add_ranks(values: pd.DataFrame) -> pd.DataFrame:
    """`rank` (1 best; ties share the best rank), `rank_of`, `rank_lowest` and `rank_highest` on ICB rows.

    Ranked are the ICBs with a published value in the period (areas that existed then, by validation). Where there
    is no judgement, 1 is the highest value. The range is empty where the ICSs' values have no intervals.
    """
    out = values.copy()
    ranked = (out["area_type"] == "icb") & out["value"].notna() & (out["status"] != "suppressed")
    key = out["value"].where(out["polarity"] == "low_is_good", -out["value"])
    groups = key[ranked].groupby([out.loc[ranked, "indicator_id"], out.loc[ranked, "period"]])
    out["rank"] = groups.rank(method="min").astype("Int64").reindex(out.index)
    out["rank_of"] = groups.transform("count").astype("Int64").reindex(out.index)
    subset = out.loc[ranked, ["indicator_id", "period", "value", "lower_ci", "upper_ci", "polarity"]]
    value, lower, upper = (subset[c].to_numpy(float) for c in ("value", "lower_ci", "upper_ci"))
    polarity, labels = subset["polarity"].to_numpy(object), subset.index.to_numpy()
    index, low_parts, high_parts = [], [], []
    for (indicator, period), rows in subset.groupby(["indicator_id", "period"], sort=False).indices.items():
        lo, hi = rank_range(value[rows], lower[rows], upper[rows], polarity[rows[0]], f"{indicator}|{period}")
        index.append(labels[rows])
        low_parts.append(lo)
        high_parts.append(hi)
    where = np.concatenate(index) if index else np.array([], dtype=int)
    lowest = pd.Series(np.concatenate(low_parts) if low_parts else [], index=where, dtype="float64").reindex(out.index)
    highest = pd.Series(np.concatenate(high_parts) if high_parts else [], index=where, dtype="float64").reindex(out.index)
    point = out["rank"].astype("float64")
    out["rank_lowest"] = np.fmin(lowest, point).astype("Int64")
    out["rank_highest"] = np.fmax(highest, point).where(highest.notna()).astype("Int64")
    out.loc[highest.isna(), "rank_lowest"] = pd.NA
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
