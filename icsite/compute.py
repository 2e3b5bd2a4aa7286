"""Pure statistics on the model: comparison with England, ranks, lineage, direction of travel. No I/O, no printing.

Conventions follow OHID Fingertips (see content/methodology.md): an area is Better or Worse than England when
its 95% confidence interval does not contain England's value; Lower / Higher for indicators with no judgement.

Lineage (time series across area changes): an area's series is its own values plus those of predecessors reached
through successions of the same board. A `code_change` (same board, same area, new ONS code) is joined into one
continuous series; a `boundary_change` (same board, changed area) adds the predecessor's values as an earlier
segment that ends at the change, so charts draw a break there and the direction of travel uses only the latest
segment. Mergers and splits are different areas: never joined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .formatting import long_date
from .model import ENGLAND, SiteData

Z95 = 1.959963984540054
TREND_POINTS = 5
JOINED_KINDS = frozenset({"code_change"})  # same board, same area: one continuous series
SEGMENTED_KINDS = frozenset({"boundary_change"})  # same board, changed area: an earlier segment, then a break
AREA_CHANGE_KINDS = frozenset({"merger", "split", "boundary_change"})  # changes to the map of boards


@dataclass
class Comparisons:
    """The computed columns, one row per value row of the model (same index)."""

    values: pd.DataFrame  # model values + england_value, compared_to_england, rank, rank_of, is_latest
    trends: pd.DataFrame  # one row per (indicator_id, area_code): trend label over the latest points
    latest_period: pd.DataFrame  # one row per indicator: the latest period with ICB values
    series: pd.DataFrame | None = None  # `values` regrouped by lineage: see `lineage_values`


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
    series = lineage_values(values, lineage(data.successions, values["area_code"].unique()))
    trends = trend_table(series)
    return Comparisons(values=values, trends=trends, latest_period=latest, series=series)


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


# --- Lineage ------------------------------------------------------------------------------------------------------

def lineage(successions: pd.DataFrame, codes) -> pd.DataFrame:
    """Which codes' values make up the series of each of `codes`.

    One row per (series_code, area_code): `series_code` is the area whose profile shows the series and `area_code`
    a code whose values belong to it: itself (generation 0), predecessors under an older ONS code (`code_change`,
    joined with no break) and predecessors before a boundary change (`boundary_change`, an earlier segment), found
    by walking successions backwards through those two kinds only. `segment_start` and `segment_end` are the
    boundary changes that open and close the segment the code's values are on (NaT at the ends of the series),
    `segment` says it in words ("before 1 April 2026", "from 1 April 2026"; "" when the series has no break),
    `break_note` is the succession's note for the change that ends the segment and `break_date` the series' latest
    boundary change (NaT when there is none).
    """
    s = successions.loc[successions["kind"].isin(JOINED_KINDS | SEGMENTED_KINDS)]
    notes = s["note"] if "note" in s else pd.Series("", index=s.index)
    back: dict[str, list] = {}  # successor -> [(predecessor, kind, date, note)]
    for pred, succ, kind, when, note in zip(s["predecessor_code"], s["successor_code"], s["kind"],
                                            pd.to_datetime(s["date"]), notes):
        back.setdefault(succ, []).append((pred, kind, when, "" if pd.isna(note) else str(note)))
    rows = []
    for code in sorted(set(codes)):
        found = {code: (0, pd.NaT, "")}  # code -> (generation, end of its segment, note of that change)
        queue = [code]
        while queue:
            current = queue.pop(0)
            generation, end, note = found[current]
            for pred, kind, when, why in sorted(back.get(current, []), key=lambda t: t[0]):
                if pred in found:
                    continue
                # walking back in time, a boundary change is always earlier than any already crossed on this path
                found[pred] = (generation + 1, when, why) if kind in SEGMENTED_KINDS else (generation + 1, end, note)
                queue.append(pred)
        breaks = sorted({end for _, end, _ in found.values() if not pd.isna(end)})
        latest = breaks[-1] if breaks else pd.NaT
        for area, (generation, end, note) in found.items():
            start = max((b for b in breaks if pd.isna(end) or b < end), default=pd.NaT)
            rows.append((code, area, generation, start, end, segment_label(start, end), note, latest))
    out = pd.DataFrame(rows, columns=["series_code", "area_code", "generation", "segment_start", "segment_end",
                                      "segment", "break_note", "break_date"])
    for col in ("segment_start", "segment_end", "break_date"):
        out[col] = pd.to_datetime(out[col])
    return out


def segment_label(start, end) -> str:
    """Which boundary a segment's values are on, in words; "" for a series with no break."""
    if pd.isna(start) and pd.isna(end):
        return ""
    if pd.isna(start):
        return f"before {long_date(end)}"
    if pd.isna(end):
        return f"from {long_date(start)}"
    return f"from {long_date(start)} to {long_date(end - pd.Timedelta(days=1))}"


def lineage_values(values: pd.DataFrame, lineage_table: pd.DataFrame) -> pd.DataFrame:
    """The value rows regrouped by lineage: one row per (series_code, indicator_id, period).

    Every column of `values` (`area_code` stays the code the value was published under) plus the lineage columns.
    Where two codes of one series have a value for the same period, the nearest generation (the area's own value)
    wins, so a series never has two values for one period.
    """
    out = lineage_table.merge(values, on="area_code", how="inner", sort=False)
    out = out.sort_values(["series_code", "indicator_id", "period", "generation"], kind="stable")
    out = out.drop_duplicates(["series_code", "indicator_id", "period"], keep="first")
    return out.sort_values(["series_code", "indicator_id", "period_start", "period_end"], kind="stable").reset_index(
        drop=True)


def lineage_series(values: pd.DataFrame, successions: pd.DataFrame, code: str) -> pd.DataFrame:
    """One area's series across code and boundary changes (see `lineage` and `lineage_values`)."""
    table = lineage(successions, [code])
    return lineage_values(values[values["area_code"].isin(table["area_code"])], table)


def latest_segment(series: pd.DataFrame) -> pd.DataFrame:
    """Only the rows after each series' latest boundary change (all rows of a series without one)."""
    return series[series["segment_end"].isna()] if "segment_end" in series else series


def continuous_codes(successions: pd.DataFrame) -> dict[str, str]:
    """Each code that changed by `code_change` mapped to its latest code: the key that joins one board's line."""
    s = successions.loc[successions["kind"].isin(JOINED_KINDS)]
    forward = dict(zip(s["predecessor_code"], s["successor_code"]))
    out = {}
    for code in forward:
        seen, last = {code}, forward[code]
        while last in forward and forward[last] not in seen:
            seen.add(last)
            last = forward[last]
        out[code] = last
    return out


def area_changes(areas: pd.DataFrame, successions: pd.DataFrame, start=None, end=None) -> pd.DataFrame:
    """Dates when the map of boards changed (mergers, splits, boundary changes), within (start, end] if given.

    One row per date: `date`, `kinds` (how many successions of each kind that day), `changes` (successions that
    day), `boards_before` and `boards_after` (ICBs valid the day before and on the day, from the area registry).
    """
    s = successions.loc[successions["kind"].isin(AREA_CHANGE_KINDS)].assign(date=lambda f: pd.to_datetime(f["date"]))
    if start is not None:
        s = s[s["date"] > pd.Timestamp(start)]
    if end is not None:
        s = s[s["date"] <= pd.Timestamp(end)]
    icb = areas[areas["type"] == "icb"]
    rows = []
    for when, group in s.groupby("date", sort=True):
        kinds = dict(sorted(group["kind"].value_counts().items()))
        rows.append((when, kinds, len(group), boards_valid_on(icb, when - pd.Timedelta(days=1)),
                     boards_valid_on(icb, when)))
    return pd.DataFrame(rows, columns=["date", "kinds", "changes", "boards_before", "boards_after"])


def boards_valid_on(areas: pd.DataFrame, day) -> int:
    """How many of `areas` were valid on `day` (valid_to is the last valid day)."""
    day = pd.Timestamp(day)
    return int(((areas["valid_from"] <= day) & (areas["valid_to"].isna() | (areas["valid_to"] >= day))).sum())


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
                        "trend_to": last["trend_to"].to_numpy()})
    return out.set_index(["indicator_id", "area_code"], drop=False)


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
