"""stats against the reference values PHEindicatormethods publishes with its own tests.

The fixtures in tests/fixtures/reference/phe/ are numbers from github.com/ukhsa-collaboration/PHEindicatormethods
(GPL-3) at commit 093fd288d8f8949dbcfbed70049dbbf385b6141d, each row naming the file, sheet and row it came from;
tests/fixtures/reference/make_reference.py writes them and README.md there says what was selected and why.

Tolerance. The reference's tests use testthat's expect_equal (edition 3) at its default tolerance, the square root of
the machine epsilon (about 1.49e-8), as waldo compares numbers: within a column, the mean absolute difference over the
values that differ, divided by the absolute mean of the expected ones (left absolute when that mean is below the
tolerance), must be under it; a missing value must be missing in both. `waldo_equal` is that rule. Where the
reference keeps full doubles (its spreadsheets) every value is held to it on its own, which is stricter than the
reference's column means. Where it keeps rounded text (its funnel CSVs), each row is held to what the stored digits
allow and each column to testthat's rule as the reference's test applies it.

Not compared, and why:

* Confidence 1 (testWilson.R expects limits 0 and 1): z_for rejects a level of 1, and no interval is published at it.
* control_limits and funnel_verdicts: the funnels are built differently. PHEindicatormethods' control limit at a
  denominator n is the value whose own interval just touches the average (the closed-form inverse of Wilson for
  proportions; for rates, an iterative inverse of the exact Poisson interval at whole numbers of events), where
  control_limits gives the interval of the average itself at n (Wilson of p * n; exact Poisson or Byar's of
  rate * n / multiplier). The two differ by about 1/n: around 80.642448% at n = 1 the reference's lower 95% limit is
  3.204264 and ours 13.5537; at n = 99,108, 80.396467 and 80.3953. What the funnel files share with our code is
  compared instead: the Wilson and exact Poisson limits they are made of, and each point's significance, which the
  reference decides by the point's own interval (High or Low when it excludes the average).
* DSRs: icsite takes published DSRs and computes none from age bands. The DSR and its variance are worked out here
  from the reference's age-band data with the usual formulas, only to feed dobson; the reference's non-independent
  events method (testdata_nonindepe) is not one of ours, and its 1976 ESP rows' 99.8% limits, which its tests never
  compare, are ten times the scale of their 95% limits and are left out.
* Funnels of DSRs and ratios, indirectly standardised rates and ratios, means, quantiles, slope indices and life
  expectancy: icsite does not compute them (rescaled turns a published 95% life-expectancy interval into 99.8%, but
  the reference states no 99.8% life expectancy to compare with).
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from icsite.compute import stats

PHE = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "phe"
TESTTHAT_TOLERANCE = math.sqrt(np.finfo(float).eps)  # testthat_tolerance(): 1.4901161193847656e-08
BISECTION_STEP = 2.0 ** -24  # the last step of poisson_funnel's search (it halves 0.5 while the step exceeds 1e-7)
METHODS = {"Wilson": stats.WILSON, "Exact": stats.EXACT, "Byars": stats.BYAR}


def load(name: str) -> list[dict]:
    with open(PHE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def num(text: str) -> float:
    """A fixture cell as a float; an empty cell (a missing value in the reference) as NaN."""
    return float(text) if text != "" else math.nan


def half_unit(text: str) -> float:
    """Half a unit in the last decimal place of a number as the reference stored it ("3.204264" -> 5e-7)."""
    return 0.5 * 10.0 ** Decimal(text).as_tuple().exponent


def ident(row: dict) -> str:
    sheet = f"{row['source_sheet']}!" if row.get("source_sheet") else ""
    level = f"@{row['confidence']}" if row.get("confidence") else ""
    return f"{row['source_file']}:{sheet}{row['source_row']}{level}"


def waldo_equal(actual, expected, tolerance: float = TESTTHAT_TOLERANCE) -> bool:
    """testthat 3e expect_equal on numbers (waldo's num_equal): NaN where the other is NaN; over the values that
    differ, mean |actual - expected| / |mean expected| < tolerance (an absolute difference when that mean is small)."""
    x, y = np.atleast_1d(np.asarray(actual, dtype=float)), np.atleast_1d(np.asarray(expected, dtype=float))
    if x.shape != y.shape or (np.isnan(x) != np.isnan(y)).any():
        return False
    differ = ~np.isnan(y) & (x != y)
    if not differ.any():
        return True
    diff, scale = np.abs(x[differ] - y[differ]).mean(), abs(y[differ].mean())
    return bool((diff / scale if scale > tolerance else diff) < tolerance)


def check_each(pairs: dict[str, tuple]) -> None:
    """waldo_equal on every value alone; the message names each that fails with ours and theirs."""
    bad = {k: (float(ours), theirs) for k, (ours, theirs) in pairs.items() if not waldo_equal(ours, theirs)}
    assert not bad, "ours, theirs: " + "; ".join(f"{k} {o!r}, {t!r}" for k, (o, t) in bad.items())


def test_waldo_equal_follows_waldo():
    assert waldo_equal([1.0, 2.0], [1.0, 2.0 * (1 + 1e-8)])
    assert not waldo_equal([1.0], [1.0 + 3e-8])
    assert waldo_equal([1e-10], [2e-10])  # below the tolerance the difference is absolute
    assert waldo_equal([math.nan, 1.0], [math.nan, 1.0]) and not waldo_equal([math.nan], [1.0])
    # only the values that differ are averaged: equal ones do not dilute a difference, small ones do
    assert not waldo_equal([1.0 + 2e-8, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert waldo_equal([1.0 + 2e-8, 1.0 + 1e-9], [1.0, 1.0])


# ------------------------------------------------------------------------------------- Byar's and Wilson
# testByars.R and testWilson.R: expect_equal at the default tolerance (1.49e-8, relative), no rounding.
BYARS, WILSONS = load("byars.csv"), load("wilson.csv")


@pytest.mark.parametrize("row", BYARS, ids=ident)
def test_byars(row):
    lower, upper = stats.byar(num(row["count"]), num(row["confidence"]))
    check_each({"lower": (lower, num(row["lowercl"])), "upper": (upper, num(row["uppercl"]))})


@pytest.mark.parametrize("row", WILSONS, ids=ident)
def test_wilson(row):
    lower, upper = stats.wilson(num(row["numerator"]), num(row["denominator"]), num(row["confidence"]), 1)
    check_each({"lower": (lower, num(row["lowercl"])), "upper": (upper, num(row["uppercl"]))})


# ------------------------------------------------------------------------------ proportions and crude rates
# testProportions.R and testRates.R: expect_equal at the default tolerance (1.49e-8, relative), no rounding; rows
# without a numerator or denominator have missing limits (and so must ours), and a rate may exceed its denominator.
@pytest.mark.parametrize("value_type, limits, row",
                         [pytest.param("proportion", lambda x, n, m, c: stats.wilson(x, n, c, m), row,
                                       id=f"proportion:{ident(row)}")
                          for row in load("proportions.csv")]
                         + [pytest.param("crude_rate", stats.poisson_rate_ci, row, id=f"rate:{ident(row)}")
                            for row in load("rates.csv")])
def test_proportions_and_rates(value_type, limits, row):
    x, n, m, confidence = (num(row[k]) for k in ("numerator", "denominator", "multiplier", "confidence"))
    lower, upper = limits(x, n, m, confidence)
    check_each({"lower": (lower, num(row["lowercl"])), "upper": (upper, num(row["uppercl"]))})
    lo, hi, method = stats.interval(value_type, x, n, m, confidence)
    check_each({"interval lower": (lo, num(row["lowercl"])), "interval upper": (hi, num(row["uppercl"]))})
    assert method == (stats.NOT_COMPUTED if math.isnan(num(row["lowercl"])) else METHODS[row["method"]])


# --------------------------------------------------------------------------------------------------- DSRs
# testDSRs.R and testpheDSRs.R: expect_equal at the default tolerance (1.49e-8, relative), no rounding; no DSR (and
# no limits) from fewer than 10 events.
DSRS = load("dsr.csv")


def from_agebands(area: str, multiplier: float) -> tuple[float, float, float]:
    """(total count, DSR, its variance on the DSR's scale) from the reference's age bands: DSR = sum(w x / n) /
    sum(w) * multiplier, var = sum(w^2 x / n^2) / sum(w)^2 * multiplier^2, a missing count counting as 0."""
    bands = [b for b in load("dsr_agebands.csv") if b["area"] == area]
    x = np.nan_to_num(np.array([num(b["count"]) for b in bands]))
    n, w = np.array([num(b["pop"]) for b in bands]), np.array([num(b["stdpop"]) for b in bands])
    return x.sum(), (w * x / n).sum() / w.sum() * multiplier, (w * w * x / n**2).sum() / w.sum() ** 2 * multiplier**2


@pytest.mark.parametrize("row", DSRS, ids=ident)
def test_dobson(row):
    count, value, var = from_agebands(row["area"], num(row["multiplier"]))
    assert count == num(row["total_count"])
    if math.isnan(num(row["value"])):  # fewer than 10 events: no DSR, no limits
        assert all(np.isnan(stats.dobson(count, value, var, 0.95)))
        return
    check_each({"value (worked out here, not icsite)": (value, num(row["value"]))})
    pairs = {}
    for confidence, level in ((0.95, "95_0"), (0.998, "99_8")):
        if row[f"lower{level}cl"]:  # the 1976 rows have no 99.8% limits to compare
            lower, upper = stats.dobson(count, num(row["value"]), var, confidence)
            pairs |= {f"lower {level}": (lower, num(row[f"lower{level}cl"])),
                      f"upper {level}": (upper, num(row[f"upper{level}cl"]))}
    check_each(pairs)


@pytest.mark.parametrize("row", [r for r in DSRS if r["lower99_8cl"] or not r["value"]], ids=ident)
def test_rescaled_dsr_from_95_to_998(row):
    """The reference's 99.8% limits from its 95% ones and the event count alone (as icsite rescales published DSRs)."""
    lower, upper = stats.rescaled("directly_standardised_rate", num(row["value"]), num(row["lower95_0cl"]),
                            num(row["upper95_0cl"]), num(row["total_count"]), 0.998)
    check_each({"lower": (lower, num(row["lower99_8cl"])), "upper": (upper, num(row["upper99_8cl"]))})


# ------------------------------------------------------------------------------------------ funnel plots
LIMITS = {"lower95": 0.95, "upper95": 0.95, "lower998": 0.998, "upper998": 0.998}


def label(lower998, upper998, lower95, upper95, average) -> list[str]:
    """The reference's significance of each point: High or Low where its own interval excludes the average."""
    return ["High (0.001)" if a > average else "High (0.025)" if c > average else "Low (0.001)" if b < average
            else "Low (0.025)" if d < average else "Not significant"
            for a, b, c, d in zip(lower998, upper998, lower95, upper95)]


# testFunnels.R, proportions: expect_equal at the default tolerance, on limits the CSVs store to 6 (or 8) decimals.
# The reference's lower limit L at population n is the percentage whose Wilson upper limit is the baseline (the upper
# limit: whose Wilson lower limit is), clipped to 0 and 100. So our Wilson limit at L, rounded as stored, must
# reach the baseline, rounded as stored; and where L is clipped to 0, our Wilson upper limit of 0 must lie above it.
FUNNEL_PROPORTION = load("funnel_proportion.csv")


def _wilson_at(text: str, n: float, confidence: float, side: int, shift: float = 0.0) -> float:
    return float(stats.wilson((float(text) + shift) / 100 * n, n, confidence, 100)[side])


@pytest.mark.parametrize("row", FUNNEL_PROPORTION, ids=ident)
def test_funnel_proportion_limits_are_wilson_inverses(row):
    n, baseline, slack = num(row["population"]), float(row["baseline"]), half_unit(row["baseline"])
    for key, confidence in LIMITS.items():
        text, side = row[key], 1 if key.startswith("lower") else 0  # a lower limit's Wilson *upper* limit
        if float(text) in (0.0, 100.0):  # clipped: even 0% (100%) has an interval reaching past the baseline
            reach = float(stats.wilson(float(text) / 100 * n, n, confidence, 100)[side])
            assert (reach >= baseline - slack) if side else (reach <= baseline + slack), (key, reach, baseline)
            continue
        h = half_unit(text)
        low, high = (_wilson_at(text, n, confidence, side, s) for s in (-h, h))
        assert low - 1e-12 <= baseline + slack and high + 1e-12 >= baseline - slack, (key, text, low, high, baseline)


@pytest.mark.parametrize("source", sorted({r["source_file"] for r in FUNNEL_PROPORTION}))
def test_funnel_proportion_limits_at_testthat_tolerance(source):
    rows = [r for r in FUNNEL_PROPORTION if r["source_file"] == source]
    for key, confidence in LIMITS.items():
        inner = [r for r in rows if float(r[key]) not in (0.0, 100.0)]
        side = 1 if key.startswith("lower") else 0
        reached = [_wilson_at(r[key], num(r["population"]), confidence, side) for r in inner]
        assert waldo_equal(reached, [num(r["baseline"]) for r in inner]), key


# testFunnels.R, significance of proportions: expect_equal on the labels, so every label must match exactly.
def test_funnel_proportion_significance():
    rows = load("funnel_proportion_significance.csv")
    x, n = np.array([num(r["numerator"]) for r in rows]), np.array([num(r["denominator"]) for r in rows])
    ours = label(*stats.wilson(x, n, 0.998, 1), *stats.wilson(x, n, 0.95, 1), x.sum() / n.sum())
    wrong = [(ident(r), o, r["significance"]) for r, o in zip(rows, ours) if o != r["significance"]]
    assert not wrong and len(rows) == 303


# testFunnels.R, crude rates: expect_equal at the default tolerance against limits that poisson_funnel finds by
# bisection on v = mu / (1 + O + mu), stopping at a step of 2^-24 (about 6e-8), for O events: the lower limit is
# O / mu times the baseline, mu being the exact Poisson upper limit of O (the upper limit: the exact lower one). So
# their v lies within 2^-24 of the exact one, and that (with the CSV's rounding) is what each row is held to. At
# testthat's own 1.5e-8 these limits and ours differ (by about 1e-7; 5e-5 at 1 event), and ours are the exact ones:
# the same repository's qchisq-based testdata_Rate.xlsx agrees with exact_poisson to 1e-14 (test_proportions_and_rates).
FUNNEL_RATE = load("funnel_rate.csv")


def _exact_mu(events: float, key: str) -> float:
    lower, upper = stats.exact_poisson(events, LIMITS[key])
    return float(upper if key.startswith("lower") else lower)


@pytest.mark.parametrize("row", FUNNEL_RATE, ids=ident)
def test_funnel_rate_limits_are_exact_poisson(row):
    o, baseline, hb = num(row["events"]), num(row["baseline"]), half_unit(row["baseline"])

    def v(mu):
        return mu / (1 + o + mu)

    for key in LIMITS:
        limit, h = num(row[key]), half_unit(row[key])
        theirs = (v(o * (baseline - hb) / (limit + h)), v(o * (baseline + hb) / (limit - h)))  # as stored, rounded
        ours = v(_exact_mu(o, key))
        assert theirs[0] - BISECTION_STEP <= ours <= theirs[1] + BISECTION_STEP, (key, ours, theirs)


# testFunnels.R, significance of crude rates: expect_equal on the labels, so every label must match exactly. The
# reference judges each point by its own interval (exact Poisson below 10 events, Byar's from 10: poisson_rate_ci)
# against the average over the denominators it derives (multiplier * count / rate, or the population for 0 events).
@pytest.mark.parametrize("column", ["crude_per_100000_with_0", "crude_per_100000_without_0", "crude_per_100_with_0",
                                    "crude_per_100_without_0"])
def test_funnel_rate_significance(column):
    multiplier = 100000 if "100000" in column else 100
    rows = [r for r in load("funnel_rate_significance.csv") if "with_0" in column or num(r["count"]) != 0]
    count, pop = np.array([num(r["count"]) for r in rows]), np.array([num(r["pop"]) for r in rows])
    rate = np.array([num(r[f"rate_crude_per_{multiplier}"]) for r in rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = np.where(count == 0, pop, multiplier * count / rate)
    ours = label(*stats.poisson_rate_ci(count, denominator, 1, 0.998),
                 *stats.poisson_rate_ci(count, denominator, 1, 0.95), count.sum() / denominator.sum())
    wrong = [(ident(r), o, r[column]) for r, o in zip(rows, ours) if o != r[column]]
    assert not wrong and len(rows) == (40 if "with_0" in column else 39)
