"""Tables derived from the comparisons that many pages share, each computed once for the whole site. Pure: no I/O.

`derive` makes them all: each area's latest row per indicator, the ICBs of each indicator's latest period, the
history of each indicator (for charts over time), the spread of ICB values per indicator and period (for spine
charts), each series' recent values (for trend charts) and the tile-map layout of every date an indicator's latest
period ends on. Rows are plain dicts and columns plain lists: pages read them many times, a table only once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from icsite.compute.comparisons import Comparisons
from icsite.compute.lineage import area_changes, continuous_codes
from icsite.compute.tilemap import tile_layout
from icsite.core.standard import ENGLAND
from icsite.inputs.model import SiteData

TREND_WINDOW = 13  # points shown on small-multiple trend charts

#: the columns of a latest row (`latest_rows`)
LATEST_COLUMNS = ["indicator_id", "area_code", "period", "period_end", "value", "status", "england_value",
                  "compared_to_england", "rank", "rank_of", "rank_lowest", "rank_highest", "small_number"]
#: the columns of an ICB's row in its indicator's latest period (`Derived.now`)
NOW_COLUMNS = ["area_code", "period_end", "value", "lower_ci", "upper_ci", "denominator", "compared_to_england",
               "compared_to_england_99_8", "compared_to_target", "rank", "rank_of", "rank_lowest", "rank_highest"]
#: the columns of an indicator's history (`histories`), with `end`: period_end as an ISO date
HISTORY_COLUMNS = ["area_code", "period", "value"]


@dataclass
class Derived:
    """What pages need beyond the comparisons, indexed by area or indicator (see `derive`)."""

    latest: dict[str, dict[str, dict]]  # area code -> indicator -> its latest row (LATEST_COLUMNS)
    now: dict[str, list[dict]]  # indicator -> its ICB rows in its latest period (NOW_COLUMNS), in the values' order
    england_now: dict[str, float]  # indicator -> England's value in its latest period (where it has a row)
    history: dict[str, dict[str, list]]  # indicator -> its ICB and England values (`histories`)
    periods: dict[str, list[tuple]]  # indicator -> (period, start, end) of `history`, in order of first appearance
    spread: dict[tuple[str, str], list[float]]  # (indicator, period) -> min, q25, q75, max of ICB values
    recent: dict[str, dict[str, dict[str, list]]]  # see `recent_series`
    layouts: dict = field(default_factory=dict)  # date -> tile layout of the ICBs valid then (`tile_layout`)
    line_codes: dict[str, str] = field(default_factory=dict)  # code -> the latest code of its board (`continuous_codes`)
    changes: list[dict] = field(default_factory=list)  # dates the map of boards changed (`area_changes`)


def derive(data: SiteData, comp: Comparisons) -> Derived:
    """Every derived table, from one pass (a sort or a groupby) over the values each."""
    values = comp.values
    latest_icb = values.loc[values["is_latest"] & (values["area_type"] == "icb"), ["indicator_id"] + NOW_COLUMNS]
    now: dict[str, list[dict]] = {}
    for row in latest_icb.to_dict("records"):
        now.setdefault(row.pop("indicator_id"), []).append(row)
    england = values[values["is_latest"] & (values["area_code"] == ENGLAND)]
    england_now = dict(zip(england["indicator_id"], england["value"].astype(float).tolist()))
    days = {max((r["period_end"] for r in rows if not pd.isna(r["value"])), default=pd.NaT) for rows in now.values()}
    history, periods = histories(values)
    return Derived(latest=latest_rows(values), now=now, england_now=england_now, history=history, periods=periods,
                   spread=spread(values), recent=recent_series(series_of(comp)),
                   layouts=tile_layouts(data.areas, data.successions, days),
                   line_codes=continuous_codes(data.successions),
                   changes=area_changes(data.areas, data.successions).to_dict("records"))


def latest_rows(values: pd.DataFrame) -> dict[str, dict[str, dict]]:
    """Each area's latest row of each indicator: {area code: {indicator: row}} (rows keep LATEST_COLUMNS)."""
    shown = values.loc[values["period_end"].notna(), LATEST_COLUMNS]
    latest = shown.sort_values("period_end", kind="stable").groupby(["indicator_id", "area_code"]).tail(1)
    out: dict[str, dict[str, dict]] = {}
    for row in latest.to_dict("records"):
        out.setdefault(row["area_code"], {})[row["indicator_id"]] = row
    return out


def histories(values: pd.DataFrame) -> tuple[dict[str, dict[str, list]], dict[str, list[tuple]]]:
    """Each indicator's ICB and England values as lists (HISTORY_COLUMNS and `end`), by area code and time, and its
    periods: (period, period_start, period_end) in the order they first appear in the values."""
    shown = values.loc[values["area_type"].isin(["icb", "country"]) & values["value"].notna(),
                       ["indicator_id", "period_start", "period_end"] + HISTORY_COLUMNS]
    firsts = shown.drop_duplicates(["indicator_id", "period"])
    periods: dict[str, list[tuple]] = {}
    for ind, period, start, end in zip(firsts["indicator_id"], firsts["period"], firsts["period_start"],
                                       firsts["period_end"]):
        periods.setdefault(ind, []).append((period, start, end))
    shown = shown.sort_values(["indicator_id", "area_code", "period_end"], kind="stable")
    lists = {c: shared(shown[c]) for c in HISTORY_COLUMNS}
    lists["end"] = shared(shown["period_end"], iso_date)
    return split_by(shown["indicator_id"].tolist(), lists), periods


def iso_date(day) -> str:
    """A date as YYYY-MM-DD."""
    return day.strftime("%Y-%m-%d")


def shared(column: pd.Series, convert=None) -> list:
    """The column as a list (each value passed through `convert`, if given, once per distinct value) in which equal
    values are one object: a date or a text repeated on a million rows is held once, not a million times. Floats
    are listed as they are (each its own object, as in `tolist`)."""
    if pd.api.types.is_float_dtype(column):
        return column.tolist()
    codes, uniques = pd.factorize(column)
    objects = [convert(u) if convert else u for u in uniques.tolist()]
    if (codes < 0).any():  # missing: the column's own missing value, converted as a value would be
        gap = column.iloc[int(np.argmax(codes < 0))]
        objects.append(convert(gap) if convert and not pd.isna(gap) else (None if convert else gap))
    return [objects[c] for c in codes.tolist()]


def split_by(keys: list, lists: dict[str, list]) -> dict:
    """Columns of rows sorted by `keys` cut into one dict of columns per key: {key: {column: [...]}}."""
    out: dict = {}
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            out[keys[start]] = {c: v[start:i] for c, v in lists.items()}
            start = i
    return out


def spread(values: pd.DataFrame) -> dict[tuple[str, str], list[float]]:
    """(indicator, period) -> [lowest, lower quartile, upper quartile, highest] of the ICB values."""
    icb_values = values[(values["area_type"] == "icb") & values["value"].notna()]
    quartiles = icb_values.groupby(["indicator_id", "period"])["value"].quantile([0, 0.25, 0.75, 1]).unstack()
    return {key: list(row) for key, row in zip(quartiles.index, quartiles.to_numpy())}


def series_of(comp: Comparisons) -> pd.DataFrame:
    """The values regrouped by lineage (`Comparisons.series`), or each area's own values when there is none."""
    if comp.series is not None:
        return comp.series
    values = comp.values
    return values.assign(series_code=values["area_code"], segment="", segment_end=pd.NaT, break_note="")


def recent_series(series: pd.DataFrame, window: int = TREND_WINDOW) -> dict[str, dict[str, dict[str, list]]]:
    """The latest `window` values of each series, as lists: {series_code: {indicator_id: {column: [...]}}}.

    Columns, oldest first: period, end (ISO date), period_end, value, england_value, segment, before_break (the
    value is from before a boundary change), segment_end, break_note and area_code (the code it was published under).
    """
    recent = series[series["value"].notna()].sort_values(["series_code", "indicator_id", "period_end"], kind="stable")
    recent = recent.groupby(["series_code", "indicator_id"], sort=False).tail(window)
    cols = {"period": recent["period"], "period_end": recent["period_end"], "value": recent["value"],
            "england_value": recent["england_value"], "segment": recent["segment"],
            "before_break": recent["segment_end"].notna(), "segment_end": recent["segment_end"],
            "break_note": recent["break_note"], "area_code": recent["area_code"]}
    lists = {c: shared(v) for c, v in cols.items()}
    lists["end"] = shared(recent["period_end"], iso_date)
    out: dict[str, dict[str, dict[str, list]]] = {}
    for (code, ind), columns in split_by(list(zip(recent["series_code"], recent["indicator_id"])), lists).items():
        out.setdefault(code, {})[ind] = columns
    return out


def tile_layouts(areas: pd.DataFrame, successions: pd.DataFrame, days) -> dict:
    """The tile layout of the boards valid on each of `days` (the map of boards changes only with the boards)."""
    table = areas.reset_index(drop=True)
    return {day: tile_layout(table, successions, day) for day in sorted(d for d in days if not pd.isna(d))}
