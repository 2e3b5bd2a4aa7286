"""Direction of travel. Pure: no I/O.

Two methods, each with words of its own (content/methodology.md, "Direction of travel"):

- **Recent trend**, OHID's test, on series of single, non-overlapping years: the five most recent values, a
  chi-squared test for trend on the counts of a proportion (the direction from the slope of its log-odds), a
  regression weighted by each value's precision for every other value type with confidence intervals; significant
  at 99.8% (chi-squared on 1 degree of freedom above 9.5495), and only if leaving out any one of the five values
  keeps the slope's sign. Fingertips' labels: "Increasing and getting better", "No significant change",
  "Cannot be calculated". (OHID, Fingertips technical guidance: trend markers; fingertips-open
  TrendMarkerCalculator; DHSC's PHEindicatormethods `assign_trend_markers`.)
- **Change on a year earlier**, ours, on monthly and quarterly series, which OHID does not test: the latest value
  against the value for the same month or quarter a year before (so the season is the same), significant when the
  difference is more than 3.09 standard errors (99.8%, two-sided), the errors recovered from the 95% intervals.
  Labels: "Better than a year earlier", "Similar to a year earlier", "No comparison with a year earlier".

Each series' result says why a trend cannot be given (`trend_note`), how strong it is (`trend_z`, signed: above
0 when the value rises) and whether it is improving (`improving`: 1 better, -1 worse, 0 neither or no judgement).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icsite.inputs.model import plain

TREND_POINTS = 5
CHI2_998 = 9.549535706  # the chi-squared (1 degree of freedom) that a trend must exceed: 99.8% two-sided
Z95 = 1.959963984540054
Z998 = 3.090232306167813  # its square root: the z a change on a year earlier must exceed
RECENT, YEAR_ON = "recent trend", "change on a year earlier"
CANNOT, NO_CHANGE = "Cannot be calculated", "No significant change"
NO_YEAR_ON, SIMILAR = "No comparison with a year earlier", "Similar to a year earlier"
#: the trend columns: one row per series
COLUMNS = ["indicator_id", "area_code", "trend", "trend_method", "trend_note", "trend_z", "trend_slope", "improving",
           "trend_to"]


class Rows:
    """Some value rows, in series order and time order within each: positions `at` into `source` (nothing copied
    until a method reads a column) and each row's series number (`sid`: 0, 1, ... in row order)."""

    def __init__(self, source: pd.DataFrame, key: str, at: np.ndarray, sid: np.ndarray):
        self.source, self.key, self.at, self.sid = source, key, at, sid
        self.groups = int(sid[-1]) + 1 if len(sid) else 0
        self.size = np.bincount(sid, minlength=self.groups)
        self.first = np.cumsum(self.size) - self.size  # each series' first row
        self.last = self.first + self.size - 1
        self.position = np.arange(len(sid)) - self.first[sid]  # 0 for a series' first row

    def take(self, rows: np.ndarray) -> Rows:
        """The given rows (whole series or each series' latest rows, in order), series renumbered from 0; itself
        when that is every row."""
        if len(rows) == len(self.sid):
            return self
        _, sid = np.unique(self.sid[rows], return_inverse=True)
        return Rows(self.source, self.key, self.at[rows], sid.astype(np.int64))

    def sum(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.sid, weights=x, minlength=self.groups)

    def any(self, mask: np.ndarray) -> np.ndarray:
        return self.sum(np.asarray(mask, dtype="float64")) > 0

    def column(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """A column's values at these rows (or at `rows` of them), as numbers or dates."""
        at = self.at if rows is None else self.at[rows]
        column = self.source[name]
        return column.to_numpy()[at] if column.dtype.kind == "M" else column.to_numpy(dtype="float64")[at]

    def text(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """A text column at these rows (or at `rows` of them), as an array of its texts."""
        return np.asarray(self.source[name].array.take(self.at if rows is None else self.at[rows]), dtype=object)

    def latest(self, series: np.ndarray | None = None) -> pd.DataFrame:
        """The latest row of each series (or of the given series): indicator_id, series and period."""
        at = self.at[self.last if series is None else self.last[series]]
        return pd.DataFrame({"indicator_id": self.source["indicator_id"].array.take(at),
                             "series": self.source[self.key].array.take(at),
                             "period": self.source["period"].array.take(at)})


def trend_table(values: pd.DataFrame) -> pd.DataFrame:
    """Direction of travel for each series, indexed by (indicator_id, area_code).

    Given lineage rows (`lineage_values`), each series is its joined code-change history, and only its latest
    segment counts: no trend runs across a boundary change. Given plain value rows, each area's own values.
    Series are numbered and summed with numpy (`Rows`): the cost grows with the rows, a few columns at a time.
    """
    key = "series_code" if "series_code" in values else "area_code"
    # the latest segment's rows (`lineage.latest_segment`), ordered by series, indicator and time
    rows = np.flatnonzero(values["segment_end"].isna().to_numpy()) if "segment_end" in values else \
        np.arange(len(values))
    series, indicator = (pd.factorize(values[c])[0][rows] for c in (key, "indicator_id"))
    order = np.lexsort((values["period_end"].to_numpy()[rows], values["period_start"].to_numpy()[rows], indicator,
                        series))
    series, indicator, at = series[order], indicator[order], rows[order]
    new = np.ones(len(at), dtype=bool)
    new[1:] = (series[1:] != series[:-1]) | (indicator[1:] != indicator[:-1])
    del series, indicator, order
    rows = Rows(values, key, at, np.cumsum(new) - 1)
    # the latest 13 values of each series are all any method reads (a month a year earlier is 12 rows back at most)
    rows = rows.take(np.flatnonzero(rows.size[rows.sid] - rows.position <= 13))
    days = (rows.column("period_end", rows.last) - rows.column("period_start", rows.last)).astype(
        "timedelta64[D]").astype(np.int64) + 1
    yearly, within = (days >= 365) & (days <= 366), days <= 92  # single years; months and quarters
    other = ~yearly & ~within
    parts = [recent_trends(rows.take(np.flatnonzero(yearly[rows.sid]))),
             year_on_year(rows.take(np.flatnonzero(within[rows.sid]))),
             _results(rows.latest(np.flatnonzero(other)), CANNOT, "", _longer_note(days[other]))]
    out = plain(pd.concat(parts, ignore_index=True)).sort_values(["indicator_id", "area_code"], kind="stable")
    return out[COLUMNS].set_index(["indicator_id", "area_code"], drop=False)


def _longer_note(days: np.ndarray) -> np.ndarray:
    return pick([days > 366], ["The values are for periods longer than a year, which overlap or are too few: the "
                               "trend test needs five separate single years."],
                "The periods are neither single years nor months or quarters.")


def pick(conditions: list, texts: list[str], default: str = "") -> np.ndarray:
    """Per row, the text of the first condition that holds (else `default`), as an object array whose cells share
    the few texts (a unicode array would hold every cell at the longest text's width)."""
    code = np.select(conditions, list(range(1, len(texts) + 1)), 0) if len(conditions) else 0
    return np.asarray([default] + texts, dtype=object)[code]


def _results(last: pd.DataFrame, label, method, note, z=np.nan, slope=np.nan, improving=0) -> pd.DataFrame:
    """One row per series from its latest value row and what the method found."""
    n = len(last)
    return pd.DataFrame({"indicator_id": last["indicator_id"].to_numpy(), "area_code": last["series"].to_numpy(),
                         "trend": np.broadcast_to(np.asarray(label, dtype=object), n),
                         "trend_method": np.broadcast_to(np.asarray(method, dtype=object), n),
                         "trend_note": np.broadcast_to(np.asarray(note, dtype=object), n),
                         "trend_z": np.broadcast_to(np.asarray(z, dtype="float64"), n),
                         "trend_slope": np.broadcast_to(np.asarray(slope, dtype="float64"), n),
                         "improving": np.broadcast_to(np.asarray(improving, dtype="int8"), n),
                         "trend_to": last["period"].to_numpy()})


def _judged(rising: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """1 where the change is an improvement, -1 where it is a deterioration, 0 where the indicator has no judgement."""
    sign = np.where(rising, 1, -1)
    return np.where(polarity == "high_is_good", sign, np.where(polarity == "low_is_good", -sign, 0)).astype(np.int8)


# --- OHID's recent trend -----------------------------------------------------------------------------------------

def recent_trends(r: Rows) -> pd.DataFrame:
    """OHID's recent trend for series of single years."""
    r = r.take(np.flatnonzero(r.size[r.sid] - r.position <= TREND_POINTS))  # the latest five of each series
    last = r.last
    start, end = r.column("period_start"), r.column("period_end")
    overlap = np.zeros(len(r.sid), dtype=bool)
    overlap[1:] = start[1:] <= end[:-1]
    overlap &= r.position > 0
    value, lower, upper, count, denom = (r.column(c) for c in ("value", "lower_ci", "upper_ci", "numerator",
                                                              "denominator"))
    missing = np.isnan(value) | (r.text("status") == "suppressed")
    counted = (r.text("value_type") == "proportion") & ~np.isnan(count) & (denom > 0)
    interval = ~np.isnan(lower) & ~np.isnan(upper) & (upper > lower)
    edge = counted & ((count <= 0) | (count >= denom))
    # the five values are 1 to 5 on the time axis, a year apart even where a year has no value, as OHID's
    # reference implementations place them (fingertips-open's counter; DHSC's reference data)
    t = (r.position + 1).astype("float64")
    kind = r.text("value_type", last)
    proportion = ~r.any(~counted)  # counts for all five: the chi-squared test for trend
    weighted = ~proportion & ~r.any(~interval)
    few = list(range(1, TREND_POINTS))
    note = pick(
        [r.size == k for k in few] + [r.any(overlap), r.any(missing), kind == "count", proportion & r.any(edge),
                                      ~proportion & ~weighted],
        [f"Only {k} yearly value{'s' if k > 1 else ''}: the test needs {TREND_POINTS}." for k in few]
        + ["The periods overlap: the test needs separate single years.",
           "A value in the latest five years is missing or suppressed.",
           "Counts are not tested for a trend: they grow and shrink with the population.",
           "A value of 0% or 100% in the latest five years: the test needs values between them.",
           "A value in the latest five years has no confidence interval."])
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2, slope, agree = proportion_trend_test(r, count, denom, t)
        wchi2, wslope, wagree = weighted_trend_test(r, value, lower, upper, t)
    chi2, slope, agree = (np.where(proportion, a, b) for a, b in ((chi2, wchi2), (slope, wslope), (agree, wagree)))
    usable = note == ""
    significant = usable & (chi2 > CHI2_998) & agree
    polarity = r.text("polarity", last)
    improving = np.where(significant, _judged(slope > 0, polarity), 0)
    rising = slope > 0
    label = pick([~usable, ~significant, rising & (improving > 0), rising & (improving < 0), rising, improving > 0,
                  improving < 0],
                 [CANNOT, NO_CHANGE, "Increasing and getting better", "Increasing and getting worse", "Increasing",
                  "Decreasing and getting better", "Decreasing and getting worse"], "Decreasing")
    note = np.where(usable & (chi2 > CHI2_998) & ~agree,
                    "Significant, but leaving out one of the five values reverses the slope, so OHID's test calls "
                    "it no significant change.", note)
    return _results(r.latest(), label, RECENT, note,
                    z=np.where(usable, np.sign(slope) * np.sqrt(chi2), np.nan),
                    slope=np.where(usable, slope, np.nan), improving=improving)


def _same_sign_without_each(r: Rows, slope_all: np.ndarray, slope_without: np.ndarray) -> np.ndarray:
    """Per series: True when the slope without each one of its values has the sign of the slope with them all."""
    return ~r.any(np.sign(slope_without) != np.sign(slope_all)[r.sid])


def _ols(n, st, stt, sy, sty):
    return (n * sty - st * sy) / (n * stt - st**2)


def proportion_trend_test(r: Rows, count: np.ndarray, denom: np.ndarray, t: np.ndarray):
    """The chi-squared test for trend in proportions on the counts (per series: chi-squared, the slope of the
    log-odds on time, and whether leaving out any one value keeps the slope's sign)."""
    y = np.log(count / (denom - count))
    d, c = r.sum(denom), r.sum(count)
    ct, dt, dtt = r.sum(count * t), r.sum(denom * t), r.sum(denom * t * t)
    chi2 = d * (d * ct - c * dt) ** 2 / (c * (d - c) * (d * dtt - dt**2))
    sums = [r.sum(x) for x in (np.ones_like(t), t, t * t, y, t * y)]
    slope = _ols(*sums)
    without = _ols(*(s[r.sid] - x for s, x in zip(sums, (1.0, t, t * t, y, t * y))))
    return chi2, slope, _same_sign_without_each(r, slope, without)


def weighted_trend_test(r: Rows, value, lower, upper, t):
    """The regression of the values on time weighted by 1/variance (the variance from the 95% interval): per series
    chi-squared (the squared slope over its variance), the slope, and whether leaving out any one value keeps the
    slope's sign."""
    w = 1 / ((upper - lower) / (2 * Z95)) ** 2
    w = np.where(np.isfinite(w), w, 0.0)
    y = np.where(np.isnan(value), 0.0, value)
    parts = (w, w * t, w * t * t, w * y, w * t * y)
    sums = [r.sum(x) for x in parts]
    slope = _ols(*sums)
    variance = sums[0] / (sums[0] * sums[2] - sums[1] ** 2)
    without = _ols(*(s[r.sid] - x for s, x in zip(sums, parts)))
    return slope**2 / variance, slope, _same_sign_without_each(r, slope, without)


# --- Change on a year earlier (ours) ------------------------------------------------------------------------------

def year_on_year(r: Rows) -> pd.DataFrame:
    """The latest month or quarter of each series against the same month or quarter a year before."""
    last = r.last
    start, end = r.column("period_start"), r.column("period_end")
    day, year = pd.Timedelta(days=1), pd.DateOffset(years=1)
    then_start = (pd.DatetimeIndex(start[last]) - year).to_numpy()
    then_end = (pd.DatetimeIndex(end[last]) + day - year - day).to_numpy()
    match = (start == then_start[r.sid]) & (end == then_end[r.sid])
    then = np.full(r.groups, -1)
    then[r.sid[match]] = np.flatnonzero(match)
    days = (end[last] - start[last]).astype("timedelta64[D]").astype(np.int64) + 1
    month = days <= 31
    value, lower, upper = (r.column(c) for c in ("value", "lower_ci", "upper_ci"))
    status = r.text("status") == "suppressed"

    def at(x, rows, missing):
        return np.where(rows >= 0, x[np.maximum(rows, 0)], missing)

    now_v, now_lo, now_hi = value[last], lower[last], upper[last]
    then_v, then_lo, then_hi = (at(x, then, np.nan) for x in (value, lower, upper))
    suppressed = status[last] | at(status, then, False)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.hypot((now_hi - now_lo) / (2 * Z95), (then_hi - then_lo) / (2 * Z95))
        z = (now_v - then_v) / se
    note = pick(
        [r.text("value_type", last) == "count", (then < 0) & month, then < 0,
         suppressed | np.isnan(now_v) | np.isnan(then_v), ~(se > 0)],
        ["Counts are not compared with a year earlier: they grow and shrink with the population.",
         "No value for the same month a year earlier on this boundary.",
         "No value for the same quarter a year earlier on this boundary.",
         "The value now or a year earlier is missing or suppressed.",
         "The value now or a year earlier has no confidence interval."])
    usable = note == ""
    significant = usable & (np.abs(z) > Z998)
    polarity = r.text("polarity", last)
    improving = np.where(significant, _judged(z > 0, polarity), 0)
    label = pick([~usable, ~significant, improving > 0, improving < 0, z > 0],
                 [NO_YEAR_ON, SIMILAR, "Better than a year earlier", "Worse than a year earlier",
                  "Higher than a year earlier"], "Lower than a year earlier")
    return _results(r.latest(), label, YEAR_ON, note, z=np.where(usable, z, np.nan),
                    slope=np.where(usable, now_v - then_v, np.nan), improving=improving)


def trend(value, lower, upper, polarity: str, *, numerator=None, denominator=None, value_type: str = "crude_rate",
          years=None) -> tuple[str, float, float]:
    """The recent trend of one series of single calendar years (consecutive from 2000 unless `years` are given),
    by the same calculation as `trend_table`: (label, slope, chi-squared)."""
    years = list(range(2000, 2000 + len(value))) if years is None else [int(y) for y in years]
    years = [y - min(years) + 2000 for y in years]  # OHID's reference data number its years from 1
    frame = pd.DataFrame({"indicator_id": "x", "area_code": "x", "period": [str(y) for y in years],
                          "period_start": pd.to_datetime([f"{y}-01-01" for y in years], format="%Y-%m-%d"),
                          "period_end": pd.to_datetime([f"{y}-12-31" for y in years], format="%Y-%m-%d"),
                          "value": value, "lower_ci": lower, "upper_ci": upper,
                          "numerator": np.nan if numerator is None else numerator,
                          "denominator": np.nan if denominator is None else denominator,
                          "value_type": value_type, "polarity": polarity, "status": "final"})
    row = trend_table(frame).iloc[0]
    return row["trend"], float(row["trend_slope"]), float(row["trend_z"]) ** 2
