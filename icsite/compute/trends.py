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

from icsite.compute.lineage import latest_segment
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
#: the value columns the trends read
NEEDS = ["indicator_id", "period", "period_start", "period_end", "value", "lower_ci", "upper_ci", "numerator",
         "denominator", "value_type", "polarity", "status"]


def trend_table(values: pd.DataFrame) -> pd.DataFrame:
    """Direction of travel for each series, indexed by (indicator_id, area_code).

    Given lineage rows (`lineage_values`), each series is its joined code-change history, and only its latest
    segment counts: no trend runs across a boundary change. Given plain value rows, each area's own values.
    """
    key = "series_code" if "series_code" in values else "area_code"
    v = latest_segment(values)[[key] + NEEDS].rename(columns={key: "series"})
    v = plain(v).sort_values(["indicator_id", "series", "period_end", "period_start"], kind="stable")
    v = v.reset_index(drop=True)
    days = (v["period_end"] - v["period_start"]).dt.days.to_numpy() + 1
    v["days"] = days
    last = v.groupby(["indicator_id", "series"], sort=False).tail(1)
    yearly = (last["days"] >= 365) & (last["days"] <= 366)
    within = last["days"] <= 92  # a month or a quarter
    on_years = v.merge(last.loc[yearly, ["indicator_id", "series"]], on=["indicator_id", "series"])
    parts = [recent_trends(on_years), year_on_year(v, last[within])]
    other = last[~yearly & ~within]
    parts.append(_results(other, CANNOT, "", _longer_note(other["days"].to_numpy())))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else _empty()
    out = out.sort_values(["indicator_id", "area_code"], kind="stable")
    return out[COLUMNS].set_index(["indicator_id", "area_code"], drop=False)


def _longer_note(days: np.ndarray) -> np.ndarray:
    return np.where(days > 366, "The values are for periods longer than a year, which overlap or are too few: "
                    "the trend test needs five separate single years.",
                    "The periods are neither single years nor months or quarters.")


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("trend_z", "trend_slope") else object)
                         for c in COLUMNS})


def _results(last: pd.DataFrame, label, method, note, z=np.nan, slope=np.nan, improving=0) -> pd.DataFrame:
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

def recent_trends(v: pd.DataFrame) -> pd.DataFrame:
    """OHID's recent trend for series of single years (rows sorted by series, then time)."""
    if not len(v):
        return _empty()
    v = v.groupby(["indicator_id", "series"], sort=False).tail(TREND_POINTS).reset_index(drop=True)
    g = v.groupby(["indicator_id", "series"], sort=False)
    last = g.tail(1)
    n = g["value"].transform("size").to_numpy()
    start, end = v["period_start"].to_numpy(), v["period_end"].to_numpy()
    overlap = pd.Series(start <= np.roll(end, 1), index=v.index)
    overlap[g.cumcount() == 0] = False
    value, lower, upper = (v[c].to_numpy(dtype="float64") for c in ("value", "lower_ci", "upper_ci"))
    count, denom = (v[c].to_numpy(dtype="float64") for c in ("numerator", "denominator"))
    missing = np.isnan(value) | (v["status"] == "suppressed").to_numpy()
    counted = (v["value_type"] == "proportion").to_numpy() & ~np.isnan(count) & ~np.isnan(denom) & (denom > 0)
    interval = ~np.isnan(lower) & ~np.isnan(upper) & (upper > lower)
    edge = counted & ((count <= 0) | (count >= denom))
    # the five values are 1 to 5 on the time axis, a year apart even where a year has no value, as OHID's
    # reference implementations place them (fingertips-open's counter; DHSC's reference data)
    t = (g.cumcount().to_numpy() + 1).astype("float64")
    kind = v["value_type"].to_numpy()

    def any_(mask):
        return pd.Series(mask, index=v.index).groupby([v["indicator_id"], v["series"]], sort=False).any().to_numpy()

    # per series (in the order of `last`)
    proportion = ~any_(~counted)  # counts for all five: the chi-squared test for trend
    weighted = ~proportion & ~any_(~interval)
    note = np.select(
        [n[last.index] < TREND_POINTS, any_(overlap.to_numpy()), any_(missing), kind[last.index] == "count",
         proportion & any_(edge), ~proportion & ~weighted],
        [[f"Only {k} yearly value{'s' if k > 1 else ''}: the test needs {TREND_POINTS}." for k in n[last.index]],
         "The periods overlap: the test needs separate single years.",
         "A value in the latest five years is missing or suppressed.",
         "Counts are not tested for a trend: they grow and shrink with the population.",
         "A value of 0% or 100% in the latest five years: the test needs values between them.",
         "A value in the latest five years has no confidence interval."], "")
    chi2, slope, agree = proportion_trend_test(v, g, count, denom, t)
    wchi2, wslope, wagree = weighted_trend_test(v, g, value, lower, upper, t)
    chi2, slope, agree = (np.where(proportion, a, b) for a, b in ((chi2, wchi2), (slope, wslope), (agree, wagree)))
    usable = note == ""
    significant = usable & (chi2 > CHI2_998) & agree
    polarity = last["polarity"].to_numpy()
    improving = np.where(significant, _judged(slope > 0, polarity), 0)
    direction = np.where(slope > 0, "Increasing", "Decreasing")
    how = np.where(improving > 0, " and getting better", np.where(improving < 0, " and getting worse", ""))
    label = np.where(~usable, CANNOT, np.where(significant, np.char.add(direction.astype(str), how.astype(str)),
                                                NO_CHANGE))
    note = np.where(usable & (chi2 > CHI2_998) & ~agree,
                    "Significant, but leaving out one of the five values reverses the slope, so OHID's test calls "
                    "it no significant change.", note)
    return _results(last, label.astype(object), RECENT, note, z=np.where(usable, np.sign(slope) * np.sqrt(chi2),
                                                                          np.nan),
                    slope=np.where(usable, slope, np.nan), improving=improving)


def _sums(v: pd.DataFrame, g, **columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each column's sum over its series, per series and broadcast back to the rows."""
    frame = pd.DataFrame(columns, index=v.index)
    keys = [v["indicator_id"], v["series"]]
    per = frame.groupby(keys, sort=False).sum()
    return per, frame.groupby(keys, sort=False).transform("sum")


def _same_sign_without_each(slope_all: np.ndarray, slope_without: np.ndarray, v: pd.DataFrame, g) -> np.ndarray:
    """Per series: True when the slope without each one of its values has the sign of the slope with them all (the
    rows of a series are together, in the order of the series)."""
    sign = np.repeat(np.sign(slope_all), g.size().to_numpy())
    same = pd.Series(np.sign(slope_without) == sign, index=v.index)
    return same.groupby([v["indicator_id"], v["series"]], sort=False).all().to_numpy()


def proportion_trend_test(v, g, count, denom, t):
    """The chi-squared test for trend in proportions on the counts, and the slope of the log-odds on time."""
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(count / (denom - count))
    per, rows = _sums(v, g, d=denom, c=count, ct=count * t, dt=denom * t, dtt=denom * t * t, one=np.ones_like(t), t=t,
                      tt=t * t, y=y, ty=t * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = (per["d"] * (per["d"] * per["ct"] - per["c"] * per["dt"]) ** 2
                / (per["c"] * (per["d"] - per["c"]) * (per["d"] * per["dtt"] - per["dt"] ** 2))).to_numpy()
        slope = _ols(per["one"], per["t"], per["tt"], per["y"], per["ty"]).to_numpy()
        without = _ols(rows["one"] - 1, rows["t"] - t, rows["tt"] - t * t, rows["y"] - y, rows["ty"] - t * y)
    return chi2, slope, _same_sign_without_each(slope, without.to_numpy(), v, g)


def _ols(n, st, stt, sy, sty):
    return (n * sty - st * sy) / (n * stt - st**2)


def weighted_trend_test(v, g, value, lower, upper, t):
    """The regression of the values on time weighted by 1/variance (from the 95% intervals): slope and chi-squared."""
    with np.errstate(divide="ignore", invalid="ignore"):
        w = 1 / ((upper - lower) / (2 * Z95)) ** 2
    w = np.where(np.isfinite(w), w, 0.0)
    y = np.where(np.isnan(value), 0.0, value)
    per, rows = _sums(v, g, w=w, wt=w * t, wtt=w * t * t, wy=w * y, wty=w * t * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = _ols(per["w"], per["wt"], per["wtt"], per["wy"], per["wty"]).to_numpy()
        variance = (per["w"] / (per["w"] * per["wtt"] - per["wt"] ** 2)).to_numpy()
        without = _ols(rows["w"] - w, rows["wt"] - w * t, rows["wtt"] - w * t * t, rows["wy"] - w * y,
                       rows["wty"] - w * t * y)
    return slope**2 / variance, slope, _same_sign_without_each(slope, without.to_numpy(), v, g)


# --- Change on a year earlier (ours) ------------------------------------------------------------------------------

def year_on_year(v: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """The latest month or quarter of each series against the same month or quarter a year before."""
    if not len(last):
        return _empty()
    before = v[["indicator_id", "series", "period_start", "period_end", "value", "lower_ci", "upper_ci", "status"]]
    target = last[["indicator_id", "series"]].assign(
        period_start=last["period_start"] - pd.DateOffset(years=1),
        period_end=(last["period_end"] + pd.Timedelta(days=1) - pd.DateOffset(years=1)) - pd.Timedelta(days=1))
    earlier = target.merge(before, on=["indicator_id", "series", "period_start", "period_end"], how="left")
    unit = np.where(last["days"].to_numpy() <= 31, "month", "quarter")
    now_v, now_lo, now_hi = (last[c].to_numpy(dtype="float64") for c in ("value", "lower_ci", "upper_ci"))
    then_v, then_lo, then_hi = (earlier[c].to_numpy(dtype="float64") for c in ("value", "lower_ci", "upper_ci"))
    suppressed = (last["status"] == "suppressed").to_numpy() | (earlier["status"] == "suppressed").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.hypot((now_hi - now_lo) / (2 * Z95), (then_hi - then_lo) / (2 * Z95))
        z = (now_v - then_v) / se
    no_then = np.isnan(then_v) & ~suppressed
    note = np.select(
        [(last["value_type"] == "count").to_numpy(), no_then, suppressed | np.isnan(now_v), ~(se > 0)],
        ["Counts are not compared with a year earlier: they grow and shrink with the population.",
         np.char.add(np.char.add("No value for the same ", unit.astype(str)), " a year earlier on this boundary."),
         "The value now or a year earlier is missing or suppressed.",
         "The value now or a year earlier has no confidence interval."], "")
    usable = note == ""
    significant = usable & (np.abs(z) > Z998)
    polarity = last["polarity"].to_numpy()
    improving = np.where(significant, _judged(z > 0, polarity), 0)
    moved = np.where(improving > 0, "Better than a year earlier", np.where(
        improving < 0, "Worse than a year earlier", np.where(z > 0, "Higher than a year earlier",
                                                             "Lower than a year earlier")))
    label = np.where(~usable, NO_YEAR_ON, np.where(significant, moved, SIMILAR))
    return _results(last, label.astype(object), YEAR_ON, note, z=np.where(usable, z, np.nan),
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
