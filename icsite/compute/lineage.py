"""Time series across area changes (lineage). Pure: no I/O.

An area's series is its own values plus those of predecessors reached through successions of the same board. A
`code_change` (same board, same area, new ONS code) is joined into one continuous series; a `boundary_change`
(same board, changed area) adds the predecessor's values as an earlier segment that ends at the change, so charts
draw a break there and the direction of travel uses only the latest segment. Mergers and splits are different
areas: never joined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icsite.core.formatting import long_date
from icsite.inputs.model import categorical

JOINED_KINDS = frozenset({"code_change"})  # same board, same area: one continuous series
SEGMENTED_KINDS = frozenset({"boundary_change"})  # same board, changed area: an earlier segment, then a break
AREA_CHANGE_KINDS = frozenset({"merger", "split", "boundary_change"})  # changes to the map of boards


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

    The rows are those of the inner join of `lineage_table` and `values` on `area_code` (in its order: each lineage
    row, then its values in their order); they are ordered and chosen by their keys alone, then taken once.
    """
    lin = lineage_table.reset_index(drop=True)
    lin = lin.assign(**{c: categorical(lin[c]) for c in ("series_code", "segment", "break_note") if c in lin})
    lin_rows, value_rows = join_rows(lin["area_code"], values["area_code"])
    keys = pd.DataFrame({"series_code": lin["series_code"].array.take(lin_rows),
                         "indicator_id": values["indicator_id"].array.take(value_rows),
                         "period": values["period"].array.take(value_rows),
                         "generation": lin["generation"].array.take(lin_rows)})
    keys = keys.sort_values(["series_code", "indicator_id", "period", "generation"], kind="stable")
    keys = keys[~keys.duplicated(["series_code", "indicator_id", "period"], keep="first")]
    keys = keys.assign(period_start=values["period_start"].array.take(value_rows[keys.index]),
                       period_end=values["period_end"].array.take(value_rows[keys.index]))
    chosen = keys.sort_values(["series_code", "indicator_id", "period_start", "period_end"], kind="stable").index
    lin_rows, value_rows = lin_rows[chosen], value_rows[chosen]
    out = {c: lin[c].array.take(lin_rows) for c in lin.columns if c != "area_code"}
    out["area_code"] = values["area_code"].array.take(value_rows)
    out.update({c: values[c].array.take(value_rows) for c in values.columns if c != "area_code"})
    return pd.DataFrame(out, columns=list(lin.columns) + [c for c in values.columns if c != "area_code"], copy=False)


def join_rows(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The row positions of the inner join of two key columns, in the join's order: each left row in turn, with
    the right rows of its key in their order (a missing key joins nothing)."""
    known = pd.Index(pd.unique(left.dropna()))
    if isinstance(right.dtype, pd.CategoricalDtype):  # each category looked up once
        codes = right.cat.codes.to_numpy()
        right_at = np.where(codes < 0, -1, known.get_indexer(right.cat.categories)[codes])
    else:
        right_at = known.get_indexer(right)
    order = np.argsort(right_at, kind="stable")  # the right rows grouped by key, each group in its order
    counts = np.bincount(right_at[right_at >= 0], minlength=len(known))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) + np.count_nonzero(right_at < 0)
    left_at = known.get_indexer(left)
    per_left = np.where(left_at >= 0, counts[left_at], 0)
    left_rows = np.repeat(np.arange(len(left)), per_left)
    offset = np.arange(len(left_rows)) - np.repeat(np.cumsum(per_left) - per_left, per_left)
    return left_rows, order[np.repeat(starts[left_at.clip(min=0)], per_left) + offset]


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
