"""trends: OHID's recent trend against OHID's own reference values, and our change on a year earlier by hand.

Reference values (tests/fixtures/reference/trends/README.md): DHSC's PHEindicatormethods trend-marker test data
(label, chi-squared and slope, compared after rounding to 4 decimal places, as its own test does) and
fingertips-open's TrendMarkerCalculatorTest (significance, and chi-squared rounded to 2 decimal places).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from icsite.compute.trends import CHI2_998, Z95, Z998, trend, trend_table

REFERENCE = Path(__file__).parents[1] / "fixtures" / "reference" / "trends" / "ohid_trend_markers.csv"
FINGERTIPS_LABELS = {"Increasing", "Decreasing", "No significant change", "Cannot be calculated"}


def reference_cases():
    ref = pd.read_csv(REFERENCE)
    return [pytest.param(g.reset_index(drop=True), id=f"{source.split('/')[-1][-40:]}:{case}")
            for (source, case), g in ref.groupby(["source", "case"], sort=False)]


@pytest.mark.parametrize("rows", reference_cases())
def test_recent_trend_matches_ohids_reference_values(rows):
    kind = "proportion" if rows["value_type"].iloc[0] == "proportion" else "crude_rate"
    label, slope, chi2 = trend(rows["value"].to_numpy(float), rows["lower"].to_numpy(float),
                               rows["upper"].to_numpy(float), "no_judgement", numerator=rows["count"].to_numpy(float),
                               denominator=rows["denominator"].to_numpy(float), value_type=kind, years=rows["year"])
    expected = rows.iloc[-1]
    decimals = int(expected["decimals"])
    if expected["expected_trend"] == "significant":  # fingertips-open says significant, not which way
        assert label in ("Increasing", "Decreasing")
    else:
        assert label == expected["expected_trend"]
    if not np.isnan(expected["expected_chi2"]):
        if kind == "crude_rate" and decimals == 2:
            # fingertips-open takes the standard error as the interval's width / 3.92; we (and DHSC) divide by
            # 2 x 1.959964, so its chi-squared is ours x (3.92 / 3.919928)^2
            chi2 *= (3.92 / (2 * Z95)) ** 2
        assert round(chi2, decimals) == pytest.approx(expected["expected_chi2"], abs=1e-9)
    if not np.isnan(expected["expected_slope"]):
        assert round(slope, decimals) == pytest.approx(expected["expected_slope"], abs=1e-9)


def test_the_threshold_is_chi_squared_at_998():
    assert CHI2_998 == pytest.approx(Z998**2, rel=1e-9)
    assert CHI2_998 == pytest.approx(9.5495, abs=5e-5)  # the value in OHID's reference implementation


def test_judged_labels_follow_polarity():
    v = np.array([10.0, 11, 12, 13, 14])
    lower, upper = v - Z95 * 0.1, v + Z95 * 0.1
    assert trend(v, lower, upper, "high_is_good")[0] == "Increasing and getting better"
    assert trend(v, lower, upper, "low_is_good")[0] == "Increasing and getting worse"
    assert trend(v[::-1].copy(), lower[::-1].copy(), upper[::-1].copy(), "high_is_good")[0] == \
        "Decreasing and getting worse"
    assert trend(v, lower, upper, "no_judgement")[0] == "Increasing"


def test_a_trend_that_one_value_makes_is_no_significant_change():
    # with all five values the slope is steeply up (chi-squared far above 9.55); without the last it runs down
    v = np.array([2.0, 1, 1, 0, 20])
    out = yearly_table(v, v - Z95 * 0.1, v + Z95 * 0.1)
    assert out["trend_z"] ** 2 > CHI2_998
    assert out["trend"] == "No significant change"
    assert "leaving out one of the five values reverses the slope" in out["trend_note"]


def test_only_the_latest_five_values_count():
    v = np.array([20.0, 15, 10, 10, 10, 10, 10])
    assert trend(v, v - 0.5, v + 0.5, "high_is_good")[0] == "No significant change"


@pytest.mark.parametrize("change, note", [
    (dict(n=4), "Only 4 yearly values: the test needs 5."),
    (dict(no_interval=True), "A value in the latest five years has no confidence interval."),
    (dict(suppressed=True), "A value in the latest five years is missing or suppressed."),
    (dict(value_type="count"), "Counts are not tested for a trend: they grow and shrink with the population."),
])
def test_cannot_be_calculated_says_why(change, note):
    n = change.get("n", 5)
    v = np.arange(10.0, 10.0 + n)
    lower, upper = v - 0.1, v + 0.1
    if change.get("no_interval"):
        lower = lower.copy()
        lower[2] = np.nan
    out = yearly_table(v, lower, upper, value_type=change.get("value_type", "crude_rate"),
                       status=["suppressed" if change.get("suppressed") and i == 1 else "final" for i in range(n)])
    assert (out["trend"], out["trend_note"]) == ("Cannot be calculated", note)


def test_a_proportion_of_0_or_100_percent_cannot_be_tested():
    count, denom = np.array([5.0, 3, 2, 1, 0]), np.full(5, 20.0)
    label, _, _ = trend(count / denom * 100, None, None, "high_is_good", numerator=count, denominator=denom,
                        value_type="proportion")
    assert label == "Cannot be calculated"


def test_overlapping_or_multi_year_periods_are_not_tested():
    # rolling three-year periods: longer than a year
    starts = pd.to_datetime([f"{y}-01-01" for y in range(2010, 2016)])
    frame = frame_of(np.arange(6.0), starts, starts + pd.DateOffset(years=3) - pd.Timedelta(days=1))
    row = trend_table(frame).iloc[0]
    assert row["trend"] == "Cannot be calculated" and "longer than a year" in row["trend_note"]
    # twelve-month periods starting every six months: each a year long, but they overlap
    starts = pd.date_range("2018-01-01", periods=6, freq="6MS")
    frame = frame_of(np.arange(6.0), starts, starts + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    row = trend_table(frame).iloc[0]
    assert (row["trend"], row["trend_note"]) == ("Cannot be calculated",
                                                 "The periods overlap: the test needs separate single years.")


# --- change on a year earlier (monthly and quarterly series) -----------------------------------------------------

@pytest.mark.parametrize("now, polarity, label", [
    # standard errors 1 and 1: z = (now - 75) / sqrt(2); 80 gives 3.536 > 3.090 (significant), 79 gives 2.828 (not)
    (80, "high_is_good", "Better than a year earlier"),
    (80, "low_is_good", "Worse than a year earlier"),
    (80, "no_judgement", "Higher than a year earlier"),
    (70, "no_judgement", "Lower than a year earlier"),
    (79, "high_is_good", "Similar to a year earlier"),
])
def test_change_on_a_year_earlier_worked_by_hand(now, polarity, label):
    values = np.array([75.0] + [77.0] * 11 + [now])  # Jan 2025 .. Jan 2026: the latest against Jan 2025
    starts = pd.date_range("2025-01-01", periods=13, freq="MS")
    frame = frame_of(values, starts, starts + pd.offsets.MonthEnd(0), polarity=polarity)
    row = trend_table(frame).iloc[0]
    assert row["trend"] == label
    assert row["trend_method"] == "change on a year earlier"
    assert row["trend_z"] == pytest.approx((now - 75) / np.sqrt(2), rel=1e-9)
    assert row["trend"] not in FINGERTIPS_LABELS


def test_change_on_a_year_earlier_for_quarters_and_the_missing_year():
    starts = pd.date_range("2024-04-01", periods=5, freq="QS-APR")
    frame = frame_of(np.array([50.0, 51, 52, 53, 60]), starts, starts + pd.offsets.QuarterEnd(0))
    assert trend_table(frame).iloc[0]["trend"] == "Better than a year earlier"  # z = 10 / sqrt(2) = 7.07
    row = trend_table(frame.iloc[1:]).iloc[0]
    assert (row["trend"], row["trend_note"]) == ("No comparison with a year earlier",
                                                 "No value for the same quarter a year earlier on this boundary.")


def yearly_table(value, lower, upper, *, value_type="crude_rate", status=None) -> pd.Series:
    starts = pd.to_datetime([f"{2000 + i}-01-01" for i in range(len(value))])
    frame = frame_of(value, starts, starts + pd.offsets.YearEnd(0), value_type=value_type, lower=lower, upper=upper)
    if status is not None:
        frame["status"] = status
    return trend_table(frame).iloc[0]


def frame_of(value, starts, ends, *, polarity="high_is_good", value_type="crude_rate", lower=None, upper=None):
    value = np.asarray(value, dtype=float)
    return pd.DataFrame({
        "indicator_id": "x", "area_code": "A", "period": [s.strftime("%Y-%m-%d") for s in starts],
        "period_start": starts, "period_end": ends, "value": value,
        "lower_ci": value - Z95 if lower is None else lower, "upper_ci": value + Z95 if upper is None else upper,
        "numerator": np.nan, "denominator": np.nan, "value_type": value_type, "polarity": polarity,
        "status": "final"})
