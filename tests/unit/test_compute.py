"""compute: comparison with England, ranks and trend, against values worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from icsite.compute.comparisons import compare, trend


@pytest.mark.parametrize(
    "value, lower, upper, england, polarity, status, expected",
    [
        # interval wholly above England: better when high is good, worse when low is good, higher otherwise
        (80, 78, 82, 75, "high_is_good", "final", "Better"),
        (80, 78, 82, 75, "low_is_good", "final", "Worse"),
        (80, 78, 82, 75, "no_judgement", "final", "Higher"),
        # wholly below
        (70, 68, 72, 75, "high_is_good", "final", "Worse"),
        (70, 68, 72, 75, "low_is_good", "final", "Better"),
        (70, 68, 72, 75, "no_judgement", "final", "Lower"),
        # interval contains England's value, including touching it: similar (Fingertips treats overlap as similar)
        (76, 74, 78, 75, "high_is_good", "final", "Similar"),
        (77, 75, 79, 75, "high_is_good", "final", "Similar"),
        # no interval, no England value, or suppressed: not compared
        (80, np.nan, np.nan, 75, "high_is_good", "final", "Not compared"),
        (80, 78, 82, np.nan, "high_is_good", "final", "Not compared"),
        (80, 78, 82, 75, "high_is_good", "suppressed", "Not compared"),
    ],
)
def test_compare_by_interval(value, lower, upper, england, polarity, status, expected):
    out = compare(pd.Series([value]), pd.Series([lower]), pd.Series([upper]), pd.Series([england]),
                  pd.Series([polarity]), pd.Series([status]))
    assert list(out) == [expected]


def test_trend_needs_five_points():
    v = np.array([1.0, 2, 3, 4])
    assert trend(v, v - 0.1, v + 0.1, "high_is_good")[0] == "Cannot be calculated"


def test_trend_needs_intervals():
    v = np.array([1.0, 2, 3, 4, 5])
    assert trend(v, v * np.nan, v + 0.1, "high_is_good")[0] == "Cannot be calculated"


def test_trend_steady_rise_is_significant():
    # Equal weights: the weighted slope is the ordinary least-squares slope, 1 per period; its standard error is
    # se / sqrt(sum((x - 2)^2)) = 0.1 / sqrt(10) ≈ 0.032, far below 1 / 1.96: significant.
    v = np.array([10.0, 11, 12, 13, 14])
    se = 0.1
    lower, upper = v - 1.959963984540054 * se, v + 1.959963984540054 * se
    label, slope = trend(v, lower, upper, "high_is_good")
    assert label == "Increasing and getting better"
    assert slope == pytest.approx(1.0)
    assert trend(v, lower, upper, "low_is_good")[0] == "Increasing and getting worse"
    assert trend(v[::-1].copy(), lower[::-1].copy(), upper[::-1].copy(), "high_is_good")[0] == "Decreasing and getting worse"
    assert trend(v, lower, upper, "no_judgement")[0] == "Increasing"


def test_trend_noise_is_not_significant():
    # slope 0.1 per period with se 1 per point: slope se = 1 / sqrt(10) ≈ 0.316 > 0.1 / 1.96 → no significant change
    v = np.array([10.0, 10.1, 10.2, 10.3, 10.4])
    label, _ = trend(v, v - 1.96, v + 1.96, "high_is_good")
    assert label == "No significant change"


def test_trend_uses_only_latest_five_points():
    # an early fall followed by five flat points: no significant change over the window
    v = np.array([20.0, 15, 10, 10, 10, 10, 10])
    assert trend(v, v - 0.5, v + 0.5, "high_is_good")[0] == "No significant change"
