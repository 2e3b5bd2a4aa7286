"""Pure statistics on the model: comparison with England, ranks, lineage, direction of travel. No I/O, no printing.

Conventions follow OHID Fingertips (see content/methodology.md): an area is Better or Worse than England when
its 95% confidence interval does not contain England's value; Lower / Higher for indicators with no judgement.

Lineage (series across boundary changes) is in lineage.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from icsite.compute.lineage import latest_segment, lineage, lineage_values
from icsite.core.standard import ENGLAND
from icsite.inputs.model import SiteData
from icsite.compute.peers import learning, peer_groups
from icsite.compute.ranking import add_ranks
from icsite.compute.stats import interval
from icsite.compute.summaries import row_sentence

Z95 = 1.959963984540054
TREND_POINTS = 5


@dataclass
class Comparisons:
    """The computed columns, one row per value row of the model (same index)."""

    values: pd.DataFrame  # model values + every computed column (see PUBLISHED_COLUMNS)
    trends: pd.DataFrame  # one row per (indicator_id, area_code): trend label over the latest points
    latest_period: pd.DataFrame  # one row per indicator: the latest period with ICB values
    series: pd.DataFrame | None = None  # `values` regrouped by lineage: see `lineage_values`
    peers: dict = field(default_factory=dict)  # ICB code -> its peers' codes, nearest first
    learning: dict = field(default_factory=dict)  # (code | None, indicator) -> systems to learn from


#: The computed columns published beside each value, in order (downloads and the machine-readable data).
PUBLISHED_COLUMNS = [
    "lower_ci_99_8", "upper_ci_99_8", "ci_method", "small_number", "england_value", "compared_to_england",
    "compared_to_england_99_8", "compared_to_target", "rank", "rank_of", "rank_lowest", "rank_highest", "trend",
    "peer_group", "summary",
]
#: what a series row keeps of its value row (trends and trend charts read no more): not every column, since the series
#: is a second table as long as the values
SERIES_COLUMNS = ["indicator_id", "area_code", "period", "period_start", "period_end", "value", "lower_ci", "upper_ci",
                  "england_value", "polarity", "status"]
MIN_EVENTS = 10  # values from fewer events are flagged and not compared (configurable: site.toml min_events)


def compute(data: SiteData, min_events: int = MIN_EVENTS) -> Comparisons:
    """Every computed column for every value."""
    meta = data.indicators[["polarity", "value_type", "multiplier", "target"]]
    values = data.values.merge(meta, left_on="indicator_id", right_index=True, how="left")
    values["area_type"] = values["area_code"].map(data.areas["type"])
    values = add_intervals(values)
    counted = values["value_type"].isin(["proportion", "crude_rate", "directly_standardised_rate"])
    values["small_number"] = counted & (values["numerator"] < min_events)
    values = add_england(values)
    status = values["status"].where(~values["small_number"], "suppressed")  # too few events: not compared
    values["compared_to_england"] = compare(values["value"], values["lower_ci"], values["upper_ci"],
                                            values["england_value"], values["polarity"], status)
    values["compared_to_england_99_8"] = compare(values["value"], values["lower_ci_99_8"], values["upper_ci_99_8"],
                                                 values["england_value"], values["polarity"], status)
    values["compared_to_target"] = compare_target(values["value"], values["target"], values["polarity"])
    values = add_ranks(values)
    latest = latest_periods(values)
    values["is_latest"] = values.set_index(["indicator_id", "period"]).index.isin(
        latest.set_index(["indicator_id", "period"]).index)
    series = lineage_values(values[SERIES_COLUMNS], lineage(data.successions, values["area_code"].unique()))
    trends = trend_table(series)
    values = add_trend(values, trends)
    peers = peer_groups(values, data.areas)
    joined = {code: " ".join(group) for code, group in peers.items()}
    values["peer_group"] = values["area_code"].astype(object).map(joined).astype(object).fillna("")
    values["summary"] = sentences(values)
    learn = learning(latest_icb_rows(values), peers, trends)
    return Comparisons(values=values, trends=trends, latest_period=latest, series=series, peers=peers,
                       learning=learn)


def add_intervals(values: pd.DataFrame) -> pd.DataFrame:
    """95% intervals where the data has counts but no interval; 99.8% intervals wherever counts allow; the method."""
    out = values.copy()
    lower95, upper95, method = interval(out["value_type"], out["numerator"], out["denominator"], out["multiplier"],
                                        0.95)
    published = out["lower_ci"].notna() & out["upper_ci"].notna()
    fill = ~published & ~np.isnan(lower95) & (out["status"] != "suppressed")
    out.loc[fill, "lower_ci"], out.loc[fill, "upper_ci"] = lower95[fill], upper95[fill]
    lower998, upper998, _ = interval(out["value_type"], out["numerator"], out["denominator"], out["multiplier"],
                                     0.998)
    out["lower_ci_99_8"], out["upper_ci_99_8"] = lower998, upper998
    out.loc[out["status"] == "suppressed", ["lower_ci_99_8", "upper_ci_99_8"]] = np.nan
    out["ci_method"] = np.where(published, "published", method)
    out.loc[out["status"] == "suppressed", "ci_method"] = "suppressed"
    return out


def compare_target(value, target, polarity) -> pd.Series:
    """Met / Not met where the indicator has a target and a judgement; empty otherwise."""
    v, t = pd.to_numeric(value, errors="coerce"), pd.to_numeric(target, errors="coerce")
    met = np.where(polarity == "low_is_good", v <= t, v >= t)
    out = np.where(met, "Met", "Not met").astype(object)
    out[(t.isna() | v.isna() | ~polarity.isin(["high_is_good", "low_is_good"])).to_numpy()] = ""
    return pd.Series(out, index=value.index)


def add_trend(values: pd.DataFrame, trends: pd.DataFrame) -> pd.DataFrame:
    """The direction of travel on each series' latest row (the row the trend runs up to); empty elsewhere."""
    t = trends.reset_index(drop=True)[["indicator_id", "area_code", "trend", "trend_to"]]
    out = values.merge(t, left_on=["indicator_id", "area_code", "period"],
                       right_on=["indicator_id", "area_code", "trend_to"], how="left").drop(columns="trend_to")
    out["trend"] = out["trend"].fillna("")
    return out


def sentences(values: pd.DataFrame) -> pd.Series:
    """The plain-English sentence of every row (worked out once per distinct combination of its inputs)."""
    keys = ["compared_to_england", "trend", "status", "small_number"]
    combos = values[keys].astype(object).drop_duplicates()
    text = {tuple(row): row_sentence(*row) for row in combos.itertuples(index=False, name=None)}
    return pd.Series([text[k] for k in zip(*(values[c].astype(object) for c in keys))], index=values.index)


def latest_icb_rows(values: pd.DataFrame) -> pd.DataFrame:
    """Each ICB's latest row per indicator."""
    icb = values[(values["area_type"] == "icb") & values["value"].notna()]
    return icb.loc[icb.groupby(["area_code", "indicator_id"], sort=False)["period_end"].idxmax()]


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


def latest_periods(values: pd.DataFrame) -> pd.DataFrame:
    """The most recent period with ICB values, per indicator."""
    icb = values[(values["area_type"] == "icb")]
    periods = icb.groupby(["indicator_id", "period"], as_index=False).agg(
        period_start=("period_start", "first"), period_end=("period_end", "max"), areas=("area_code", "nunique"))
    periods = periods.sort_values(["indicator_id", "period_end", "period_start"])
    return periods.groupby("indicator_id").tail(1).set_index("indicator_id", drop=False)


# --- Direction of travel ------------------------------------------------------------------------------------------

def trend_table(values: pd.DataFrame) -> pd.DataFrame:
    """Direction of travel for each series over its most recent points.

    Given lineage rows (`lineage_values`), each series is its joined code-change history, and only its latest
    segment counts: a line is never fitted across a boundary change. Given plain value rows, each area's own values.
    """
    key = "series_code" if "series_code" in values else "area_code"
    v = latest_segment(values)[["indicator_id", key, "period", "period_end", "value", "lower_ci", "upper_ci",
                                "polarity"]]
    v = v.sort_values(["indicator_id", key, "period_end"], kind="stable")
    v = v.groupby(["indicator_id", key], sort=False).tail(TREND_POINTS)
    groups = v.groupby(["indicator_id", key], sort=True)
    value, lower, upper = (v[c].to_numpy(dtype="float64") for c in ("value", "lower_ci", "upper_ci"))
    se = (upper - lower) / (2 * Z95)
    bad = np.isnan(value) | np.isnan(lower) | np.isnan(upper) | ~(se > 0)
    # the same weighted least squares as `trend`, one group sum at a time: x is 0..4 within each series
    x = groups.cumcount().to_numpy(dtype="float64")
    w = np.where(bad, 0.0, 1 / np.where(bad, 1.0, se) ** 2)
    sums = pd.DataFrame({"w": w, "wx": w * x}, index=v.index).groupby([v["indicator_id"], v[key]], sort=True).sum()
    xm = (sums["wx"] / sums["w"]).reindex(pd.MultiIndex.from_frame(v[["indicator_id", key]])).to_numpy()
    dx = x - xm
    fit = pd.DataFrame({"sxx": w * dx**2, "sxy": w * dx * np.where(bad, 0.0, value)}, index=v.index).groupby(
        [v["indicator_id"], v[key]], sort=True).sum()
    last = groups.agg(n=("value", "size"), trend_to=("period", "last"), polarity=("polarity", "first"))
    last["bad"] = pd.Series(bad, index=v.index).groupby([v["indicator_id"], v[key]], sort=True).any()
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (fit["sxy"] / fit["sxx"]).to_numpy()
        slope_se = np.sqrt(1 / fit["sxx"].to_numpy())
    usable = (last["n"].to_numpy() >= TREND_POINTS) & ~last["bad"].to_numpy()
    significant = usable & (np.abs(slope) >= Z95 * slope_se)
    rising = slope > 0
    polarity = last["polarity"].to_numpy()
    direction = np.where(rising, "Increasing", "Decreasing")
    judged = np.where(polarity == "high_is_good", np.where(rising, " and getting better", " and getting worse"),
                      np.where(polarity == "low_is_good", np.where(rising, " and getting worse", " and getting better"),
                               ""))
    label = np.where(~usable, "Cannot be calculated",
                     np.where(significant, np.char.add(direction.astype(str), judged.astype(str)),
                              "No significant change"))
    out = pd.DataFrame({"indicator_id": last.index.get_level_values(0), "area_code": last.index.get_level_values(1),
                        "trend": label.astype(object), "trend_slope": np.where(usable, slope, np.nan),
                        "trend_z": np.where(usable, slope / slope_se, np.nan),  # how significant the change is
                        "trend_to": last["trend_to"].to_numpy()})
    return out.set_index(["indicator_id", "area_code"], drop=False)


def trend(value: np.ndarray, lower: np.ndarray, upper: np.ndarray, polarity: str) -> tuple[str, float]:
    """The direction of travel of one series (the same calculation as `trend_table`): (label, slope)."""
    n = len(value)
    frame = pd.DataFrame({"indicator_id": "x", "area_code": "x", "period": [str(i) for i in range(n)],
                          "period_end": pd.date_range("2000-01-01", periods=n, freq="D"), "value": value,
                          "lower_ci": lower, "upper_ci": upper, "polarity": polarity})
    row = trend_table(frame).iloc[0]
    return row["trend"], float(row["trend_slope"])
