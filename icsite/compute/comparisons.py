"""Pure statistics on the model: comparison with England, ranks, lineage, direction of travel. No I/O, no printing.

Conventions follow OHID Fingertips (see content/methodology.md): an area is Better or Worse than England when
its 95% confidence interval does not contain England's value; Lower / Higher for indicators with no judgement.

Lineage (series across boundary changes) is in lineage.py; the direction of travel in trends.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from icsite.compute.lineage import latest_segment, lineage, lineage_values
from icsite.core.standard import ENGLAND
from icsite.inputs.model import SiteData, categorical, filled, lookup, objects, plain
from icsite.compute.peers import learning, peer_groups
from icsite.compute.ranking import add_ranks
from icsite.compute.stats import interval, rescaled
from icsite.compute.summaries import row_sentence
from icsite.compute.trends import trend_table



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
    "trend_note", "peer_group", "summary", "illustrative",
]
#: what a series row keeps of its value row (trends and trend charts read no more): not every column, since the series
#: is a second table as long as the values
SERIES_COLUMNS = ["indicator_id", "area_code", "period", "period_start", "period_end", "value", "lower_ci", "upper_ci",
                  "numerator", "denominator", "value_type", "england_value", "polarity", "status"]
MIN_EVENTS = 10  # values from fewer events are flagged and not compared (configurable: site.toml min_events)


def compute(data: SiteData, min_events: int = MIN_EVENTS) -> Comparisons:
    """Every computed column for every value.

    The model's columns are shared, never copied (pandas copies a column on write), and text columns computed for
    every row are categories (`categorical`): the values of a thousand areas fit in a few hundred megabytes.
    """
    values = data.values.copy(deep=False)
    for col in ("polarity", "value_type", "multiplier", "target"):
        values[col] = lookup(values["indicator_id"], data.indicators[col], category=col in ("polarity", "value_type"))
    # each row says whether it is an official statistic or a generated demonstration value (downloads, API)
    values["illustrative"] = lookup(values["indicator_id"], data.indicators["illustrative"].astype(bool)).astype(bool)
    values["area_type"] = lookup(values["area_code"], data.areas["type"], category=True)
    # a board's or region's figures for a period before it existed, published on its boundary (`figures_from`)
    values["before_area"] = ((values["period_end"] < lookup(values["area_code"], data.areas["valid_from"]))
                             & (values["area_type"] != "country")).to_numpy()
    values = add_intervals(values)
    counted = values["value_type"].isin(["proportion", "crude_rate", "directly_standardised_rate"])
    values["small_number"] = counted & (values["numerator"] < min_events)
    values = add_england(values)
    # suppressed, or too few events: not compared (compare reads no other status)
    status = labelled((values["small_number"] | (values["status"] == "suppressed")).to_numpy().astype(np.int8),
                      ["", "suppressed"], values.index)
    values["compared_to_england"] = compare(values["value"], values["lower_ci"], values["upper_ci"],
                                            values["england_value"], values["polarity"], status)
    values["compared_to_england_99_8"] = compare(values["value"], values["lower_ci_99_8"], values["upper_ci_99_8"],
                                                 values["england_value"], values["polarity"], status)
    values["compared_to_target"] = compare_target(values["value"], values["target"], values["polarity"])
    values = add_ranks(values)
    latest = latest_periods(values)
    values["is_latest"] = match_rows(values, latest, ["indicator_id", "period"]) >= 0
    series = lineage_values(values[SERIES_COLUMNS], lineage(data.successions, values["area_code"].unique()))
    trends = trend_table(series)
    values = add_trend(values, trends)
    peers = peer_groups(values, data.areas)
    joined = pd.Series({code: " ".join(group) for code, group in peers.items()}, dtype="str")
    values["peer_group"] = filled(lookup(values["area_code"], joined, category=True), "")
    values["summary"] = sentences(values)
    learn = learning(latest_icb_rows(values), peers, trends, set(data.areas.index[data.areas["current"]]))
    return Comparisons(values=values, trends=trends, latest_period=latest, series=series, peers=peers,
                       learning=learn)


def add_intervals(values: pd.DataFrame) -> pd.DataFrame:
    """95% intervals where the data has counts but no interval; 99.8% intervals as published where a row has both
    limits (the optional columns lower_ci_99_8 and upper_ci_99_8), else wherever counts allow, or from the published
    95% interval of a directly standardised rate or a life expectancy (`stats.rescaled`); the method (`published`
    when the 95% limits are the source's)."""
    out = values.copy(deep=False)
    kind = objects(out["value_type"])
    lower95, upper95, method = interval(kind, out["numerator"], out["denominator"], out["multiplier"], 0.95)
    published = (out["lower_ci"].notna() & out["upper_ci"].notna()).to_numpy()
    suppressed = (out["status"] == "suppressed").to_numpy()
    fill = ~published & ~np.isnan(lower95) & ~suppressed
    out["lower_ci"] = np.where(fill, lower95, out["lower_ci"])
    out["upper_ci"] = np.where(fill, upper95, out["upper_ci"])
    del lower95, upper95
    lower998, upper998, _ = interval(kind, out["numerator"], out["denominator"], out["multiplier"], 0.998)
    # a DSR (with its events) or a life expectancy: its 99.8% limits from its published 95% ones
    from95 = rescaled(kind, out["value"], out["lower_ci"], out["upper_ci"], out["numerator"], 0.998)
    lower998, upper998 = (np.where(np.isnan(mine), theirs, mine) for mine, theirs in zip((lower998, upper998), from95))
    del from95
    given = published_99_8(out)
    if given is not None:  # the source's own 99.8% limits, written over the computed ones (arrays made just above)
        lower998[given] = out["lower_ci_99_8"].to_numpy(dtype="float64")[given]
        upper998[given] = out["upper_ci_99_8"].to_numpy(dtype="float64")[given]
    out["lower_ci_99_8"] = np.where(suppressed, np.nan, lower998)
    out["upper_ci_99_8"] = np.where(suppressed, np.nan, upper998)
    method = np.where(published, "published", method)
    method[suppressed] = "suppressed"
    out["ci_method"] = categorical(pd.Series(method, index=out.index))
    return out


def published_99_8(values: pd.DataFrame) -> np.ndarray | None:
    """The rows with both published 99.8% limits (a boolean array), or None when the values have no such columns."""
    if "lower_ci_99_8" not in values or "upper_ci_99_8" not in values:
        return None
    return (values["lower_ci_99_8"].notna() & values["upper_ci_99_8"].notna()).to_numpy()


def compare_target(value, target, polarity) -> pd.Series:
    """Met / Not met where the indicator has a target and a judgement; empty otherwise."""
    v, t = pd.to_numeric(value, errors="coerce"), pd.to_numeric(target, errors="coerce")
    met = np.where(polarity == "low_is_good", v <= t, v >= t)
    out = np.where(met, 1, 2).astype(np.int8)  # codes into ["", "Met", "Not met"]
    out[(t.isna() | v.isna() | ~polarity.isin(["high_is_good", "low_is_good"])).to_numpy()] = 0
    return labelled(out, ["", "Met", "Not met"], value.index)


def add_trend(values: pd.DataFrame, trends: pd.DataFrame) -> pd.DataFrame:
    """The direction of travel and why it is what it is (`trend_note`) on each series' latest row (the row the trend
    runs up to); empty elsewhere."""
    t = trends.reset_index(drop=True)
    at = match_rows(values, t, ["indicator_id", "area_code", "period"], ["indicator_id", "area_code", "trend_to"])
    out = values.copy(deep=False)
    for col in ("trend", "trend_note"):
        label = categorical(t[col])
        codes = taken(label.cat.codes.to_numpy(), at, -1)  # -1: no trend ends on the row
        out[col] = filled(pd.Series(pd.Categorical.from_codes(codes, categories=label.cat.categories),
                                    index=values.index), "")
    return out


def taken(column: np.ndarray, at: np.ndarray, missing) -> np.ndarray:
    """`column[at]` (positions from `match_rows`), with `missing` where a row matched nothing (-1)."""
    if not len(column):
        return np.full(len(at), missing)
    return np.where(at >= 0, column[at], missing)


def match_rows(left: pd.DataFrame, right: pd.DataFrame, on: list[str], right_on: list[str] | None = None) -> np.ndarray:
    """For each row of `left`, the position of the row of `right` with the same keys (`on`, in `right` named
    `right_on`), or -1: a left join without the copy. Each key of `right` must be on one row; a missing key matches
    nothing."""
    left_key, right_key = np.zeros(len(left), dtype=np.int64), np.zeros(len(right), dtype=np.int64)
    left_ok, right_ok = np.ones(len(left), dtype=bool), np.ones(len(right), dtype=bool)
    for a, b in zip(on, right_on or on):
        column = left[a]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, known = column.cat.codes.to_numpy(), column.cat.categories
        else:
            codes, known = pd.factorize(column)
            known = pd.Index(known)
        other = known.get_indexer(right[b])
        left_key, right_key = left_key * len(known) + codes, right_key * len(known) + other
        left_ok &= codes >= 0
        right_ok &= other >= 0
    keys = pd.Index(right_key[right_ok])
    if not keys.is_unique:
        raise ValueError(f"two rows of one table share the keys {', '.join(right_on or on)}")
    found = keys.get_indexer(np.where(left_ok, left_key, -1))
    return taken(np.flatnonzero(right_ok), found, -1)


def sentences(values: pd.DataFrame) -> pd.Series:
    """The plain-English sentence of every row (worked out once per distinct combination of its inputs)."""
    keys = ["compared_to_england", "trend", "status", "small_number", "before_area"]
    combination = np.zeros(len(values), dtype=np.int64)  # the inputs' codes as the digits of one number
    for col in keys:
        codes, distinct = pd.factorize(values[col])  # code -1: a missing cell
        combination = combination * (len(distinct) + 1) + codes + 1
    rows, _ = pd.factorize(combination)
    firsts = np.unique(rows, return_index=True)[1]  # the first row of each combination
    text = [row_sentence(*row) for row in values[keys].iloc[firsts].astype(object).itertuples(index=False, name=None)]
    text_codes, texts = pd.factorize(pd.Series(text, dtype="str"), sort=True)
    return pd.Series(pd.Categorical.from_codes(text_codes[rows], categories=texts), index=values.index)


def latest_icb_rows(values: pd.DataFrame) -> pd.DataFrame:
    """Each ICB's latest row per indicator (the columns `peers.learning` reads)."""
    columns = ["area_code", "indicator_id", "period", "period_end", "lower_ci", "upper_ci", "polarity",
               "compared_to_england"]
    icb = values.loc[(values["area_type"] == "icb") & values["value"].notna(), columns]
    return plain(icb.loc[icb.groupby(["area_code", "indicator_id"], sort=False)["period_end"].idxmax()])


def add_england(values: pd.DataFrame) -> pd.DataFrame:
    """England's value for the same indicator and period, on every row."""
    england = values.loc[values["area_code"] == ENGLAND, ["indicator_id", "period", "value"]]
    at = match_rows(values, england, ["indicator_id", "period"])
    out = values.copy(deep=False)
    out["england_value"] = taken(england["value"].to_numpy(), at, np.nan)
    return out


def compare(value, lower, upper, benchmark, polarity, status) -> pd.Series:
    """Better / Similar / Worse (or Lower / Similar / Higher) by whether the interval contains the benchmark."""
    value, lower, upper, benchmark = (pd.Series(x, dtype="float64").to_numpy() for x in (value, lower, upper, benchmark))
    polarity = pd.Series(polarity)
    above = lower > benchmark
    below = upper < benchmark
    high_good = (polarity == "high_is_good").to_numpy()
    low_good = (polarity == "low_is_good").to_numpy()
    out = np.full(len(value), VERDICTS.index("Similar"), dtype=np.int8)
    better, worse, higher, lower_ = (VERDICTS.index(v) for v in ("Better", "Worse", "Higher", "Lower"))
    out[above & high_good] = better
    out[below & high_good] = worse
    out[above & low_good] = worse
    out[below & low_good] = better
    judged = high_good | low_good
    out[above & ~judged] = higher
    out[below & ~judged] = lower_
    missing = np.isnan(value) | np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark)
    out[missing | (pd.Series(status) == "suppressed").to_numpy()] = VERDICTS.index("Not compared")
    return labelled(out, VERDICTS, getattr(status, "index", None))


#: what a comparison with a benchmark says (sorted: the categories of the columns `compare` makes)
VERDICTS = ["Better", "Higher", "Lower", "Not compared", "Similar", "Worse"]


def labelled(codes: np.ndarray, labels: list[str], index=None) -> pd.Series:
    """A categorical column from codes into sorted `labels`, keeping only the labels used."""
    return pd.Series(pd.Categorical.from_codes(codes, categories=labels).remove_unused_categories(), index=index)


def latest_periods(values: pd.DataFrame) -> pd.DataFrame:
    """The most recent period with ICB values, per indicator."""
    icb = values.loc[values["area_type"] == "icb",
                     ["indicator_id", "period", "period_start", "period_end", "area_code"]]
    periods = icb.groupby(["indicator_id", "period"], as_index=False).agg(
        period_start=("period_start", "first"), period_end=("period_end", "max"), areas=("area_code", "nunique"))
    periods = plain(periods).sort_values(["indicator_id", "period_end", "period_start"])
    return periods.groupby("indicator_id").tail(1).set_index("indicator_id", drop=False)
