"""Pure statistics on the model: comparison with England, ranks, direction of travel. No I/O, no printing.

Conventions follow OHID Fingertips (see content/methodology.md): an area is Better or Worse than England when
its 95% confidence interval does not contain England's value; Lower / Higher for indicators with no judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .model import ENGLAND, SiteData

Z95 = 1.959963984540054
TREND_POINTS = 5


@dataclass
class Comparisons:
    """The computed columns, one row per value row of the model (same index)."""

    values: pd.DataFrame  # model values + england_value, compared_to_england, rank, rank_of, is_latest
    trends: pd.DataFrame  # one row per (indicator_id, area_code): trend label over the latest points
    latest_period: pd.DataFrame  # one row per indicator: the latest period with ICB values


def compute(data: SiteData) -> Comparisons:
    """Every computed column for every value."""
    values = data.values.merge(
        data.indicators[["polarity"]], left_on="indicator_id", right_index=True, how="left")
    values["area_type"] = values["area_code"].map(data.areas["type"])
    values = add_england(values)
    values["compared_to_england"] = compare(values["value"], values["lower_ci"], values["upper_ci"],
                                            values["england_value"], values["polarity"], values["status"])
    values = add_ranks(values)
    latest = latest_periods(values)
    values["is_latest"] = values.set_index(["indicator_id", "period"]).index.isin(
        latest.set_index(["indicator_id", "period"]).index)
    trends = trend_table(values)
    return Comparisons(values=values, trends=trends, latest_period=latest)


def add_england(values: pd.DataFrame) -> pd.DataFrame:
    """England's value for the same indicator and period, on every row."""
    england = values.loc[values["area_code"] == ENGLAND, ["indicator_id", "period", "value"]]
    england = england.rename(columns={"value": "england_value"})
    return values.merge(england, on=["indicator_id", "period"], how="left")


def compare(value, lower, upper, benchmark, polarity, status) -> pd.Series:
    """Better / Similar / Worse (or Lower / Similar / Higher) by whether the interval contains the benchmark."""
    value, lower, upper, benchmark = (pd.Series(x, dtype="float64").to_numpy() for x in (value, lower, upper, benchmark))
    polarity = pd.Series(polarity).to_numpy()
    above = lower > benchmark
    below = upper < benchmark
    high_good = polarity == "high_is_good"
    low_good = polarity == "low_is_good"
    out = np.full(len(value), "Similar", dtype=object)
    out[above & high_good] = "Better"
    out[below & high_good] = "Worse"
    out[above & low_good] = "Worse"
    out[below & low_good] = "Better"
    judged = high_good | low_good
    out[above & ~judged] = "Higher"
    out[below & ~judged] = "Lower"
    missing = np.isnan(value) | np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark)
    out[missing | (pd.Series(status).to_numpy() == "suppressed")] = "Not compared"
    return pd.Series(out, index=getattr(status, "index", None))


def add_ranks(values: pd.DataFrame) -> pd.DataFrame:
    """Rank among ICBs with a value in the same period: 1 is best (or highest, where there is no judgement)."""
    icb = (values["area_type"] == "icb") & values["value"].notna()
    key = values["value"].where(values["polarity"] == "low_is_good", -values["value"])
    ranks = key[icb].groupby([values.loc[icb, "indicator_id"], values.loc[icb, "period"]]).rank(method="min")
    counts = key[icb].groupby([values.loc[icb, "indicator_id"], values.loc[icb, "period"]]).transform("count")
    values["rank"] = ranks.astype("Int64").reindex(values.index)
    values["rank_of"] = counts.astype("Int64").reindex(values.index)
    return values


def latest_periods(values: pd.DataFrame) -> pd.DataFrame:
    """The most recent period with ICB values, per indicator."""
    icb = values[(values["area_type"] == "icb")]
    periods = icb.groupby(["indicator_id", "period"], as_index=False).agg(
        period_start=("period_start", "first"), period_end=("period_end", "max"), areas=("area_code", "nunique"))
    periods = periods.sort_values(["indicator_id", "period_end", "period_start"])
    return periods.groupby("indicator_id").tail(1).set_index("indicator_id", drop=False)


def trend_table(values: pd.DataFrame) -> pd.DataFrame:
    """Direction of travel for each series over its most recent points."""
    rows = []
    for (indicator, area), series in values.groupby(["indicator_id", "area_code"], sort=True):
        series = series.sort_values("period_end")
        label, slope = trend(series["value"].to_numpy(), series["lower_ci"].to_numpy(),
                             series["upper_ci"].to_numpy(), series["polarity"].iloc[0])
        rows.append((indicator, area, label, slope, series["period"].iloc[-1]))
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "trend", "trend_slope", "trend_to"]).set_index(
        ["indicator_id", "area_code"], drop=False)


def trend(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, polarity: str) -> tuple[str, float]:
    """Fingertips-style label from a weighted least-squares slope over the latest five points.

    Each point is weighted by the inverse of its variance, recovered from its 95% interval; the change is
    significant when the slope's 95% interval excludes zero. Fewer than five usable points: cannot be calculated.
    """
    value, lower, upper = value[-TREND_POINTS:], lower[-TREND_POINTS:], upper[-TREND_POINTS:]
    if len(value) < TREND_POINTS or np.isnan(value).any() or np.isnan(lower).any() or np.isnan(upper).any():
        return "Cannot be calculated", float("nan")
    se = (upper - lower) / (2 * Z95)
    if (se <= 0).any():
        return "Cannot be calculated", float("nan")
    x = np.arange(len(value), dtype=float)
    w = 1 / se**2
    xm = np.sum(w * x) / np.sum(w)
    slope = np.sum(w * (x - xm) * value) / np.sum(w * (x - xm) ** 2)
    slope_se = np.sqrt(1 / np.sum(w * (x - xm) ** 2))
    if abs(slope) < Z95 * slope_se:
        return "No significant change", float(slope)
    rising = slope > 0
    direction = "Increasing" if rising else "Decreasing"
    if polarity == "high_is_good":
        return f"{direction} and getting {'better' if rising else 'worse'}", float(slope)
    if polarity == "low_is_good":
        return f"{direction} and getting {'worse' if rising else 'better'}", float(slope)
    return direction, float(slope)
