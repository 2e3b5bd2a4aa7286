"""Layer 2, the domain checks: small functions, one per problem code (`CODES` in problems.py), listed in `CHECKS`.

Rows are numbered as lines of the file, the header being line 1 (the Frictionless convention).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from icsite.core.periods import parse_period
from icsite.core.problems import Problem
from icsite.core.standard import CI_99_8_FIELDS, DSR_FROM, ENGLAND
from icsite.inputs.checking import MAX_PER_CHECK, problem, rel
from icsite.inputs.load import Sources
from icsite.inputs.model import board_points, by_category, lookup

NUMBERS = ["value", "lower_ci", "upper_ci", "numerator", "denominator"]
LOWER, UPPER = CI_99_8_FIELDS  # the optional published 99.8% limits, checked where a package has them


@dataclass
class ValuesTable:
    """One package's values with what the checks need alongside."""

    file: str
    frame: pd.DataFrame  # values, with `_line` and the indicator's value_type, multiplier and decimals
    indicator_ids: set[str]
    indicators_file: str


@dataclass
class Tables:
    """The tables the domain checks look at."""

    areas: pd.DataFrame | None
    areas_file: str
    successions: pd.DataFrame | None
    successions_file: str
    values: list[ValuesTable]


def collect_tables(sources: Sources, root: Path) -> Tables:
    """The area registry and each indicator package's values, where they could be read."""
    tables = Tables(None, "", None, "", [])
    for package in sources.packages:
        folder = rel(package.path, root)
        path = lambda name: f"{folder}/{(package.resource(name) or {}).get('path', name + '.csv')}"  # noqa: E731
        if package.name == "areas" and "areas" in package.tables and "code" in package.tables["areas"]:
            tables.areas, tables.areas_file = package.tables["areas"], path("areas")
            if "successions" in package.tables:
                tables.successions, tables.successions_file = package.tables["successions"], path("successions")
        elif "values" in package.tables and "indicators" in package.tables:
            indicators = package.tables["indicators"]
            values = package.tables["values"]  # pandas copies on write: the package's table is never changed
            # whatever the schema declared, numbers are compared as numbers
            values = values.assign(**{c: pd.to_numeric(values[c], errors="coerce") for c in NUMBERS + CI_99_8_FIELDS
                                      if c in values})
            blank = values.isna().all(axis=1)
            values["_line"] = np.arange(2, len(values) + 2)
            if blank.any():  # blank lines: Frictionless says so
                values = values[~blank]
            if "id" in indicators:
                meta = indicators.drop_duplicates("id").set_index("id")
                for col, default in (("value_type", None), ("multiplier", 1.0), ("decimals", 1)):
                    source = meta[col] if col in meta else pd.Series(default, index=meta.index)
                    if col != "value_type":  # numbers whatever the schema says (layer 1 reports a wrong type)
                        source = pd.to_numeric(source, errors="coerce")
                    values["_" + col] = lookup(values["indicator_id"], source) if "indicator_id" in values else default
            tables.values.append(ValuesTable(path("values"), values, set(indicators.get("id", pd.Series()).dropna()),
                                             path("indicators")))
    return tables


def emit(code: str, file: str, rows: pd.DataFrame, field: str | None, message, expected=None, found=None,
         severity="error") -> Iterator[Problem]:
    """Problems for the flagged rows (capped at MAX_PER_CHECK, then one summary); message etc. may be callables."""
    for count, (_, row) in enumerate(rows.iterrows()):
        if count == MAX_PER_CHECK:
            yield problem(code, file, None, field, f"... and {len(rows) - MAX_PER_CHECK} more rows with this problem",
                          severity=severity)
            return
        call = lambda x: x(row) if callable(x) else x  # noqa: E731
        yield problem(code, file, row["_line"], field, call(message), call(expected), call(found), severity=severity)


def has(frame: pd.DataFrame, *columns: str) -> bool:
    return all(c in frame for c in columns)


def area_unknown(t: Tables) -> Iterable[Problem]:
    """area-unknown: every area_code is in the area registry."""
    known = set(t.areas["code"].dropna())
    for v in t.values:
        if has(v.frame, "area_code"):
            bad = v.frame[v.frame["area_code"].notna() & ~v.frame["area_code"].isin(known)]
            yield from emit("area-unknown", v.file, bad, "area_code",
                            lambda r: f"area code '{r['area_code']}' is not in the area registry",
                            "an ONS code from the area registry", lambda r: r["area_code"])


def area_not_valid(t: Tables) -> Iterable[Problem]:
    """area-not-valid: an area has values only for periods that overlap its validity, which starts earlier where the
    registry says figures are published on its boundary from before it existed (the optional `figures_from`)."""
    areas = t.areas.drop_duplicates("code").set_index("code")
    if not has(areas, "valid_from", "valid_to"):
        return
    valid_from, valid_to = areas["valid_from"], areas["valid_to"]
    if "figures_from" in areas:
        earlier = dates(areas["figures_from"]) < dates(valid_from)
        valid_from = areas["figures_from"].where(earlier.fillna(False), valid_from)
    for v in t.values:
        f = v.frame
        if not has(f, "area_code", "period_start", "period_end"):
            continue
        start, end = dates(f["period_start"]), dates(f["period_end"])
        opened, closed = lookup(f["area_code"], dates(valid_from)), lookup(f["area_code"], dates(valid_to))
        bad = f[((end < opened) | (start > closed)).fillna(False)]
        yield from emit("area-not-valid", v.file, bad, "area_code",
                        lambda r: f"{r['area_code']} did not exist during {r['period']}",
                        lambda r: f"a period within {valid_from.at[r['area_code']]} to "
                                  f"{areas.at[r['area_code'], 'valid_to'] if pd.notna(areas.at[r['area_code'], 'valid_to']) else 'now'}",
                        lambda r: f"{r['period_start']} to {r['period_end']}")


def indicator_unknown(t: Tables) -> Iterable[Problem]:
    """indicator-unknown: every indicator_id is in the package's indicators.csv."""
    for v in t.values:
        if has(v.frame, "indicator_id"):
            bad = v.frame[v.frame["indicator_id"].notna() & ~v.frame["indicator_id"].isin(v.indicator_ids)]
            yield from emit("indicator-unknown", v.file, bad, "indicator_id",
                            lambda r: f"indicator '{r['indicator_id']}' is not in {v.indicators_file}",
                            "an id from indicators.csv", lambda r: r["indicator_id"])


def indicator_duplicate(t: Tables) -> Iterable[Problem]:
    """indicator-duplicate: an indicator id belongs to one package only."""
    seen: dict[str, str] = {}
    for v in t.values:
        for ind in sorted(v.indicator_ids):
            if ind in seen:
                yield problem("indicator-duplicate", v.indicators_file, None, "id",
                              f"indicator '{ind}' is also defined in {seen[ind]}", found=ind)
            else:
                seen[ind] = v.indicators_file


def value_duplicate(t: Tables) -> Iterable[Problem]:
    """value-duplicate: one row per indicator, area and period."""
    key = ["indicator_id", "area_code", "period"]
    for v in t.values:
        if has(v.frame, *key):
            repeated = v.frame.duplicated(key, keep="first")
            if not repeated.any():
                continue
            involved = v.frame.loc[v.frame.duplicated(key, keep=False), key + ["_line"]]
            first_lines = involved.drop_duplicates(key).set_index(key)["_line"]
            dup = v.frame[repeated]
            yield from emit("value-duplicate", v.file, dup, "period",
                            lambda r: f"a second row for {r['indicator_id']}, {r['area_code']}, {r['period']}",
                            lambda r: f"one row (the first is line {first_lines.loc[tuple(r[k] for k in key)]})")


def value_missing(t: Tables) -> Iterable[Problem]:
    """value-missing: a row that is not suppressed has a value."""
    for v in t.values:
        if has(v.frame, "value", "status"):
            bad = v.frame[v.frame["value"].isna() & v.frame["status"].notna() & (v.frame["status"] != "suppressed")]
            yield from emit("value-missing", v.file, bad, "value", "the value is empty but the row is not suppressed",
                            "a number, or status 'suppressed'")


def suppressed_has_value(t: Tables) -> Iterable[Problem]:
    """suppressed-has-value: a suppressed row publishes no number."""
    for v in t.values:
        if not has(v.frame, "status"):
            continue
        rows = v.frame[v.frame["status"] == "suppressed"]
        for col in [c for c in NUMBERS + CI_99_8_FIELDS if c in rows]:
            yield from emit("suppressed-has-value", v.file, rows[rows[col].notna()], col,
                            f"a suppressed row must not publish a {col}", "an empty cell", lambda r, c=col: r[c])


def interval_problems(t: Tables) -> Iterable[Problem]:
    """interval-inverted, interval-incomplete and value-outside-interval."""
    for v in t.values:
        f = v.frame
        if not has(f, "value", "lower_ci", "upper_ci"):
            continue
        inverted = f[(f["lower_ci"] > f["upper_ci"]).fillna(False)]
        yield from emit("interval-inverted", v.file, inverted, "lower_ci", "the lower limit is above the upper limit",
                        lambda r: f"lower_ci <= {r['upper_ci']}", lambda r: r["lower_ci"])
        incomplete = f[f["lower_ci"].isna() != f["upper_ci"].isna()]
        yield from emit("interval-incomplete", v.file, incomplete,
                        "upper_ci", "only one limit of the interval is given", "both limits or neither")
        outside = f[((f["value"] < f["lower_ci"]) | (f["value"] > f["upper_ci"])).fillna(False)
                    & ~(f["lower_ci"] > f["upper_ci"]).fillna(False)]
        yield from emit("value-outside-interval", v.file, outside, "value", "the value is not inside its own interval",
                        lambda r: f"between {r['lower_ci']} and {r['upper_ci']}", lambda r: r["value"])


def interval_99_8_problems(t: Tables) -> Iterable[Problem]:
    """interval-inverted, interval-incomplete, interval-not-nested and value-outside-interval for the published
    99.8% limits, where a package has them: both or neither, in order, and around the 95% interval (or, without
    one, around the value)."""
    for v in t.values:
        f = v.frame
        if not has(f, "value", "lower_ci", "upper_ci", LOWER, UPPER):
            continue
        inverted = (f[LOWER] > f[UPPER]).fillna(False)
        yield from emit("interval-inverted", v.file, f[inverted], LOWER, "the lower 99.8% limit is above the upper one",
                        lambda r: f"{LOWER} <= {r[UPPER]}", lambda r: r[LOWER])
        # one limit without the other, located at the missing one (a cell that is not a number is missing here,
        # and layer 1 reports it where it is)
        for given, missing in ((LOWER, UPPER), (UPPER, LOWER)):
            yield from emit("interval-incomplete", v.file, f[f[given].notna() & f[missing].isna()], missing,
                            f"only one limit of the 99.8% interval is given: {given} without {missing}",
                            "both 99.8% limits or neither")
        with95 = f["lower_ci"].notna() & f["upper_ci"].notna() & ~(f["lower_ci"] > f["upper_ci"]).fillna(False)
        nested = with95 & ~inverted
        above = f[nested & (f[LOWER] > f["lower_ci"]).fillna(False)]
        yield from emit("interval-not-nested", v.file, above, LOWER, "the 99.8% interval does not contain the 95% "
                        "one: its lower limit is above the lower 95% limit",
                        lambda r: f"{LOWER} <= {r['lower_ci']} (lower_ci)", lambda r: r[LOWER])
        below = f[nested & (f[UPPER] < f["upper_ci"]).fillna(False)]
        yield from emit("interval-not-nested", v.file, below, UPPER, "the 99.8% interval does not contain the 95% "
                        "one: its upper limit is below the upper 95% limit",
                        lambda r: f"{UPPER} >= {r['upper_ci']} (upper_ci)", lambda r: r[UPPER])
        outside = f[~with95 & ~inverted & ((f["value"] < f[LOWER]) | (f["value"] > f[UPPER])).fillna(False)]
        yield from emit("value-outside-interval", v.file, outside, "value",
                        "the value is not inside its own 99.8% interval",
                        lambda r: f"between {r[LOWER]} and {r[UPPER]}", lambda r: r["value"])


def count_problems(t: Tables) -> Iterable[Problem]:
    """count-negative, numerator-exceeds-denominator, proportion-out-of-range and value-inconsistent."""
    for v in t.values:
        f = v.frame
        if not has(f, *NUMBERS, "_value_type", "_multiplier"):
            continue
        for col in ("numerator", "denominator"):
            yield from emit("count-negative", v.file, f[(f[col] < 0).fillna(False)], col, f"the {col} is negative",
                            "zero or more", lambda r, c=col: r[c])
        count_type = f["_value_type"] == "count"
        yield from emit("count-negative", v.file, f[(count_type & (f["value"] < 0)).fillna(False)], "value",
                        "a count is negative", "zero or more", lambda r: r["value"])
        proportion = f["_value_type"] == "proportion"
        over = f[(proportion & (f["numerator"] > f["denominator"]) & (f["denominator"] >= 0)).fillna(False)]
        yield from emit("numerator-exceeds-denominator", v.file, over, "numerator",
                        "the numerator of a proportion is larger than its denominator",
                        lambda r: f"at most {r['denominator']}", lambda r: r["numerator"])
        out = f[(proportion & ((f["value"] < 0) | (f["value"] > f["_multiplier"]))).fillna(False)]
        yield from emit("proportion-out-of-range", v.file, out, "value", "a proportion outside 0% to 100%",
                        lambda r: f"between 0 and {r['_multiplier']:g}", lambda r: r["value"])
        ratio = (f["numerator"] / f["denominator"].where(f["denominator"] > 0)) * f["_multiplier"]
        tolerance = np.maximum(0.5 * 10.0 ** (-pd.to_numeric(f["_decimals"], errors="coerce").fillna(1)), 1e-3 * f["value"].abs())
        checked = f["_value_type"].isin(["proportion", "crude_rate"])
        wrong = f[(checked & ((f["value"] - ratio).abs() > tolerance)).fillna(False)]
        yield from emit("value-inconsistent", v.file, wrong, "value",
                        lambda r: "the value does not equal numerator / denominator x multiplier",
                        lambda r: f"{r['numerator'] / r['denominator'] * r['_multiplier']:.4g}", lambda r: r["value"])


def dsr_from_few_events(t: Tables) -> Iterable[Problem]:
    """dsr-from-few-events (a warning): a directly standardised rate from fewer than DSR_FROM events."""
    for v in t.values:
        f = v.frame
        if not has(f, "numerator", "value", "_value_type"):
            continue
        few = f[((f["_value_type"] == "directly_standardised_rate") & (f["numerator"] < DSR_FROM)
                 & f["value"].notna()).fillna(False)]
        yield from emit("dsr-from-few-events", v.file, few, "numerator",
                        f"a directly standardised rate from fewer than {DSR_FROM} events", f"{DSR_FROM} events or more",
                        lambda r: r["numerator"], severity="warning")


def period_problems(t: Tables) -> Iterable[Problem]:
    """period-dates-inverted, period-label-mismatch and period-label-unknown."""
    for v in t.values:
        f = v.frame
        if not has(f, "period", "period_start", "period_end"):
            continue
        start, end = dates(f["period_start"]), dates(f["period_end"])
        yield from emit("period-dates-inverted", v.file, f[(start > end).fillna(False)], "period_start",
                        "period_start is after period_end", lambda r: f"on or before {r['period_end']}",
                        lambda r: r["period_start"])
        spans = {label: parse_period(label) for label in f["period"].dropna().unique()}
        unknown = f[f["period"].isin([label for label, span in spans.items() if span is None])]
        yield from emit("period-label-unknown", v.file, unknown.drop_duplicates("period"), "period",
                        lambda r: f"the period label '{r['period']}' is in no known format", severity="warning",
                        found=lambda r: r["period"])
        ok_dates = start.notna() & end.notna() & (start <= end)
        pairs = pd.DataFrame({"period": f["period"], "s": start, "e": end})[ok_dates]
        agree = {}
        for label, s, e in pairs.drop_duplicates().itertuples(index=False):  # each distinct label and dates once
            span = spans.get(label)
            agree[(label, s, e)] = span is None or span.agrees(s.date(), e.date())
        bad_keys = [k for k, ok in agree.items() if not ok]
        if bad_keys:
            mask = pd.MultiIndex.from_frame(pairs).isin(bad_keys)
            bad = f.loc[pairs.index[mask]]
            yield from emit("period-label-mismatch", v.file, bad, "period",
                            lambda r: f"the label '{r['period']}' does not agree with its dates",
                            lambda r: spans[r["period"]].describe(), lambda r: f"{r['period_start']} to {r['period_end']}")


def england_missing(t: Tables) -> Iterable[Problem]:
    """england-missing (warning): every period with ICB values has an England value to compare with."""
    icbs = set(t.areas.loc[t.areas.get("type", pd.Series(dtype=str)) == "icb", "code"]) if "type" in t.areas else set()
    for v in t.values:
        f = v.frame
        if not has(f, "indicator_id", "area_code", "period"):
            continue
        england = set(zip(f.loc[f["area_code"] == ENGLAND, "indicator_id"], f.loc[f["area_code"] == ENGLAND, "period"]))
        icb_rows = f.loc[f["area_code"].isin(icbs) & f["period"].notna() & f["indicator_id"].notna(),
                         ["indicator_id", "area_code", "period", "_line"]]
        icb_rows = icb_rows.drop_duplicates(["indicator_id", "period"])
        lacking = icb_rows[[k not in england for k in zip(icb_rows["indicator_id"], icb_rows["period"])]]
        yield from emit("england-missing", v.file, lacking, "area_code",
                        lambda r: f"no England value for {r['indicator_id']} in {r['period']} (first ICB row shown)",
                        f"a row with area_code {ENGLAND}", severity="warning")


def succession_dates(t: Tables) -> Iterable[Problem]:
    """succession-dates: a successor starts on the succession date and its predecessor ends the day before."""
    s = t.successions
    if s is None or not has(s, "predecessor_code", "successor_code", "date") or not has(t.areas, "valid_from", "valid_to"):
        return
    areas = t.areas.drop_duplicates("code").set_index("code")
    s = s.assign(_line=np.arange(2, len(s) + 2))
    day = dates(s["date"])
    starts = dates(s["successor_code"].map(areas["valid_from"]))
    ends = dates(s["predecessor_code"].map(areas["valid_to"]))
    bad = s[((starts != day) | (ends != day - pd.Timedelta(days=1))).fillna(False) & day.notna()
            & starts.notna() & ends.notna()]
    yield from emit("succession-dates", t.successions_file, bad, "date",
                    lambda r: f"{r['predecessor_code']} -> {r['successor_code']} on {r['date']} does not match "
                              "the areas' validity", "the successor's valid_from, the day after the predecessor's valid_to",
                    lambda r: r["date"])


def area_location_missing(t: Tables) -> Iterable[Problem]:
    """area-location-missing (warning): an ICB the tile maps cannot place (no lat/long, nor any predecessor's)."""
    if not has(t.areas, "code", "type", "lat", "long"):
        return
    areas = t.areas.assign(_line=np.arange(2, len(t.areas) + 2),
                           lat=pd.to_numeric(t.areas["lat"], errors="coerce"),
                           long=pd.to_numeric(t.areas["long"], errors="coerce"))
    successions = t.successions if t.successions is not None and has(t.successions, "predecessor_code",
                                                                       "successor_code") else None
    icbs = areas[areas["type"] == "icb"]
    placed = board_points(areas, successions if successions is not None else
                          pd.DataFrame(columns=["predecessor_code", "successor_code"]), icbs["code"])
    yield from emit("area-location-missing", t.areas_file, icbs[~icbs["code"].isin(placed)], "lat",
                    lambda r: f"{r['code']} has no lat/long, nor has any predecessor: it is left off the tile maps",
                    "a latitude and longitude (the ONS label point)", severity="warning")


def date_not_real(t: Tables) -> Iterable[Problem]:
    """type-error for a period date of the right form that is not a real day (2026-02-30)."""
    for v in t.values:
        for col in ("period_start", "period_end"):
            if has(v.frame, col):
                text = pd.Series(v.frame[col].dropna().unique()).astype("str")  # each distinct cell once
                wrong = text[text.str.fullmatch(r"\d{4}-\d{2}-\d{2}") & dates(text).isna()]
                bad = v.frame[v.frame[col].isin(wrong)]
                yield from emit("type-error", v.file, bad, col, lambda r, c=col: f'the cell "{r[c]}" is not a date',
                                "a date like 2024-03-31", lambda r, c=col: r[c])


def dates(series: pd.Series) -> pd.Series:
    """Dates parsed leniently (unparseable cells are NaT: Frictionless reports them as type errors); a categorical
    column's once per category."""
    return by_category(series, lambda s: pd.to_datetime(s.astype("string"), errors="coerce", format="%Y-%m-%d"))


CHECKS = [date_not_real, area_unknown, area_not_valid, indicator_unknown, indicator_duplicate, value_duplicate,
          value_missing, suppressed_has_value, interval_problems, interval_99_8_problems, count_problems,
          dsr_from_few_events, period_problems, england_missing, succession_dates, area_location_missing]
