"""compute: comparison with England, against values worked out by hand (trends: test_trends.py)."""

import numpy as np
import pandas as pd
import pytest

from icsite.compute.comparisons import compare


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
