"""stats: confidence intervals against published tables and values worked out by hand.

z at 95% is 1.959964 and at 99.8% is 3.090232 (so z^2 = 3.841459 and 9.549536) throughout.
"""

import math

import numpy as np
import pytest

from icsite.compute.stats import (
    byar, dobson, exact_poisson, gamma_quantile, gammainc_lower_regularised, interval, poisson_rate_ci, wilson, z_for,
)

NAN = float("nan")


# ---------------------------------------------------------------------------------------------------------- z
@pytest.mark.parametrize(
    "confidence, z", [(0.95, 1.959963984540054), (0.998, 3.090232306167813), (0.99, 2.5758293035489)]
)
def test_z_for(confidence, z):
    assert z_for(confidence) == pytest.approx(z, rel=1e-12)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, NAN])
def test_z_for_rejects_levels_outside_0_1(confidence):
    with pytest.raises(ValueError):
        z_for(confidence)


# ---------------------------------------------------------------------------------------------------- Wilson
@pytest.mark.parametrize(
    "x, n, confidence, multiplier, lower, upper",
    [
        # Newcombe RG (1998) Statistics in Medicine 17:857-872, worked examples, method 3 (score, no continuity corr.)
        (81, 263, 0.95, 1, 0.2553, 0.3662),
        (15, 148, 0.95, 1, 0.0624, 0.1605),
        (0, 20, 0.95, 1, 0.0, 0.1611),
        (1, 29, 0.95, 1, 0.0061, 0.1718),
        # the same first example as a percentage
        (81, 263, 0.95, 100, 25.53, 36.62),
        # 50/100 at 99.8%, by hand with lower, upper = (2x + z^2 -/+ z*sqrt(z^2 + 4x(1-p))) / (2(n + z^2)):
        #   2x + z^2 = 100 + 9.549536 = 109.549536; z^2 + 4*50*0.5 = 109.549536, sqrt = 10.466592, times z = 32.344199
        #   2(n + z^2) = 219.099071; lower = 77.205337 / 219.099071 = 0.352376
        #   upper = 141.893735 / 219.099071 = 0.647624
        (50, 100, 0.998, 100, 35.2376, 64.7624),
        # 0/20 at 99.8%: lower 0; upper = 2z^2 / (2(n + z^2)) = z^2 / (n + z^2) = 9.549536 / 29.549536 = 0.323170
        (0, 20, 0.998, 1, 0.0, 0.323170),
        # 20/20 at 99.8%: upper 1; lower = 2n / (2(n + z^2)) = 20 / 29.549536 = 0.676830
        (20, 20, 0.998, 1, 0.676830, 1.0),
        # 29/29 at 95% mirrors Newcombe's 0/29 case: lower = 29 / (29 + 3.841459) = 0.883030
        (29, 29, 0.95, 100, 88.3030, 100.0),
    ],
)
def test_wilson(x, n, confidence, multiplier, lower, upper):
    lo, hi = wilson(x, n, confidence, multiplier)
    half_unit = 5e-5 * multiplier  # Newcombe prints 4 decimal places, so 0.0061 stands for 0.00605 to 0.00615
    assert lo == pytest.approx(lower, rel=1e-3, abs=half_unit)
    assert hi == pytest.approx(upper, rel=1e-3, abs=half_unit)


def test_wilson_edges_are_exact():
    lo, hi = wilson([0, 7, 7], [7, 7, 1000], 0.998, 100)
    assert lo[0] == 0.0 and hi[1] == 100.0  # 0% and 100% touch their bound exactly
    assert 0 < lo[2] < 0.7 < hi[2] < 100


@pytest.mark.parametrize(
    "x, n",
    [(0, 0), (3, 0), (NAN, 10), (3, NAN), (NAN, NAN), (11, 10), (-1, 10), (3, -10)],
    ids=["0/0", "3/0", "missing numerator", "missing denominator", "both missing", "over 100%", "negative x",
         "negative n"],
)
def test_wilson_not_computable_is_nan(x, n):
    lo, hi = wilson(x, n)
    assert np.isnan(lo) and np.isnan(hi)


def test_wilson_missing_multiplier_is_nan():
    assert all(np.isnan(wilson(3, 10, 0.95, NAN)))


# ------------------------------------------------------------------------------------------------------ Byar
@pytest.mark.parametrize(
    "count, confidence, lower, upper",
    [
        # lower = O(1 - 1/(9O) - z/(3 sqrt O))^3, upper = (O+1)(1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3 (Breslow & Day 1987)
        # O = 10, 95%: 1 - 0.011111 - 0.206598 = 0.782291, cubed 0.478745, x10 = 4.78745
        #              1 - 0.010101 + 0.196984 = 1.186883, cubed 1.671951, x11 = 18.39146
        (10, 0.95, 4.78745, 18.39146),
        # O = 100, 95%: 1 - 0.001111 - 0.065332 = 0.933557, cubed 0.813621, x100 = 81.3621
        #               1 - 0.001100 + 0.065008 = 1.063908, cubed 1.204237, x101 = 121.6279
        (100, 0.95, 81.3621, 121.6279),
        # O = 10, 99.8%: 1 - 0.011111 - 0.325739 = 0.663150, cubed 0.291632, x10 = 2.91632
        #                1 - 0.010101 + 0.310580 = 1.300479, cubed 2.199430, x11 = 24.19372
        (10, 0.998, 2.91632, 24.19372),
        # O = 100, 99.8%: 1 - 0.001111 - 0.103008 = 0.895881, cubed 0.719037, x100 = 71.9037
        #                 1 - 0.001100 + 0.102497 = 1.101396, cubed 1.336075, x101 = 134.9436
        (100, 0.998, 71.9037, 134.9436),
        # 0 events: the lower limit is 0; upper = 1 * (1 - 1/9 + 1.959964/3)^3 = 1.542210^3 = 3.66801
        (0, 0.95, 0.0, 3.66801),
    ],
)
def test_byar(count, confidence, lower, upper):
    lo, hi = byar(count, confidence)
    assert lo == pytest.approx(lower, rel=1e-3, abs=1e-12)
    assert hi == pytest.approx(upper, rel=1e-3)


def test_byar_negative_lower_limit_is_nan():
    # O = 1 at 99.8%: 1 - 1/9 - 3.090232/3 = -0.141188 < 0; PHEindicatormethods returns NA here too
    lo, hi = byar([1, NAN, -2], 0.998)
    assert np.isnan(lo).all() and not np.isnan(hi[0]) and np.isnan(hi[1:]).all()


# ------------------------------------------------------------------------------------------- exact Poisson
@pytest.mark.parametrize(
    "count, confidence, lower, upper",
    [
        # standard tables of exact (Garwood 1936) 95% limits, e.g. epitools::pois.exact documents 0 -> 3.689
        (0, 0.95, 0.0, 3.689),
        (1, 0.95, 0.0253, 5.572),
        (5, 0.95, 1.623, 11.668),
        (9, 0.95, 4.115, 17.085),
        # 99.8%, by hand. O = 0: upper solves e^-U = 0.001, U = -ln 0.001 = 6.907755
        (0, 0.998, 0.0, 6.907755),
        # O = 1: lower solves 1 - e^-L = 0.001, L = -ln 0.999 = 0.0010005; upper solves e^-U (1 + U) = 0.001:
        #   U = 9.233413 gives e^-9.233413 * 10.233413 = 0.0000977 * 10.2334 = 0.001000 (substitution check)
        (1, 0.998, 0.0010005, 9.233413),
        # O = 5 and 9 from chi-squared tables (0.001 and 0.999 quantiles, halved):
        #   chi2(0.001, 10) = 1.479 -> 0.7395; chi2(0.999, 12) = 32.909 -> 16.4545
        #   chi2(0.001, 18) = 4.905 -> 2.4525; chi2(0.999, 20) = 45.315 -> 22.6575
        (5, 0.998, 0.7395, 16.4545),
        (9, 0.998, 2.4525, 22.6575),
        # O = 1 at 95%: lower = -ln 0.975 = 0.025318; 10 at 95% (table): 4.795 to 18.390
        (10, 0.95, 4.795, 18.390),
    ],
)
def test_exact_poisson(count, confidence, lower, upper):
    lo, hi = exact_poisson(count, confidence)
    assert lo == pytest.approx(lower, rel=1e-3, abs=1e-12)
    assert hi == pytest.approx(upper, rel=1e-3)


def test_exact_poisson_vectorised_matches_scalar():
    counts = np.array([[3, 0, 3], [NAN, 7, -1]])
    lo, hi = exact_poisson(counts)
    assert lo.shape == hi.shape == (2, 3)
    assert np.isnan(lo[1, 0]) and np.isnan(hi[1, 2])
    assert lo[0, 0] == lo[0, 2] == exact_poisson(3)[0] and hi[1, 1] == exact_poisson(7)[1]


@pytest.mark.parametrize(
    "a, x, p",
    [
        (1, 0.5, 1 - math.exp(-0.5)),  # P(1, x) = 1 - e^-x
        (2, 7.0, 1 - math.exp(-7) * 8),  # P(2, x) = 1 - e^-x (1 + x)
        # either side of x = a + 1, where the series hands over to the continued fraction:
        # P(3, 4) = 1 - e^-4 (1 + 4 + 8) = 1 - 0.0183156 * 13 = 0.761897
        (3, 4 - 1e-9, 0.761897),
        (3, 4 + 1e-9, 0.761897),
        (0.5, 2.0, math.erf(math.sqrt(2.0))),  # P(1/2, x) = erf(sqrt x)
        (50, 0.0, 0.0),
    ],
)
def test_gammainc_lower_regularised(a, x, p):
    assert gammainc_lower_regularised(a, x) == pytest.approx(p, rel=1e-6, abs=1e-15)


@pytest.mark.parametrize(
    "df, p, x",
    # NAG Library g01tcc (inverse chi-squared) example results: df 20, p 0.01 -> 8.2604; df 7.5, p 0.428 -> 6.2006
    [(20, 0.01, 8.2604), (7.5, 0.428, 6.2006), (2, 0.95, -2 * math.log(0.05))],
)
def test_chi_squared_quantile_via_gamma(df, p, x):
    assert 2 * gamma_quantile(df / 2, p) == pytest.approx(x, rel=1e-4)


# --------------------------------------------------------------------------------------------- crude rates
@pytest.mark.parametrize(
    "count, denominator, confidence, lower, upper",
    [
        # per 100,000 in a population of 1,000: limits of the count x 100
        (9, 1000, 0.95, 411.5, 1708.5),  # exact 4.115 to 17.085
        (10, 1000, 0.95, 478.745, 1839.146),  # Byar 4.78745 to 18.39146 (exact would be 479.5 to 1839.0)
        (9, 1000, 0.998, 245.25, 2265.75),  # exact 2.4525 to 22.6575
        (10, 1000, 0.998, 291.632, 2419.372),  # Byar 2.91632 to 24.19372
        (0, 1000, 0.95, 0.0, 368.9),  # exact 0 to 3.689
    ],
)
def test_poisson_rate_switches_from_exact_to_byar_at_10(count, denominator, confidence, lower, upper):
    lo, hi = poisson_rate_ci(count, denominator, 100_000, confidence)
    assert lo == pytest.approx(lower, rel=1e-3, abs=1e-12)
    assert hi == pytest.approx(upper, rel=1e-3)


@pytest.mark.parametrize("count, denominator", [(5, 0), (5, NAN), (NAN, 1000), (-1, 1000), (5, -10)])
def test_poisson_rate_not_computable_is_nan(count, denominator):
    assert all(np.isnan(poisson_rate_ci(count, denominator, 100_000)))


# ----------------------------------------------------------------------------------------------------- Dobson
@pytest.mark.parametrize(
    "total, dsr, var, confidence, lower, upper",
    [
        # two age bands: counts 4 and 16 in populations 1,000 and 2,000, standard weights 0.4 and 0.6, per 100,000:
        #   DSR = (0.4*4/1000 + 0.6*16/2000) * 1e5 = (0.0016 + 0.0048) * 1e5 = 640
        #   var = (0.16*4/1000^2 + 0.36*16/2000^2) * 1e10 = (0.64e-6 + 1.44e-6) * 1e10 = 20800
        #   sqrt(var / O) = sqrt(20800 / 20) = sqrt(1040) = 32.24903
        # 95%: Byar's limits of O = 20 are 20 * 0.848357^3 = 12.21143 and 21 * 1.137275^3 = 30.88988, so
        #   lower = 640 + 32.24903 * (12.21143 - 20) = 640 - 251.174 = 388.826
        #   upper = 640 + 32.24903 * (30.88988 - 20) = 640 + 351.188 = 991.188
        (20, 640, 20800, 0.95, 388.826, 991.188),
        # 99.8%: Byar's limits of 20 are 20 * 0.764112^3 = 8.92280 and 21 * 1.219490^3 = 38.08504, so
        #   lower = 640 + 32.24903 * (8.92280 - 20) = 282.771; upper = 640 + 32.24903 * 18.08504 = 1223.225
        (20, 640, 20800, 0.998, 282.771, 1223.225),
        # 10 events, the fewest PHE publishes a DSR from: Byar's limits of 10 are 10 * 0.782292^3 = 4.787450 and
        #   11 * 1.186881^3 = 18.391459; DSR 50, var 100, sqrt(100/10) = 3.162278:
        #   lower = 50 + 3.162278 * (4.787450 - 10) = 33.5167; upper = 50 + 3.162278 * 8.391459 = 76.5361
        (10, 50, 100, 0.95, 33.5167, 76.5361),
    ],
)
def test_dobson(total, dsr, var, confidence, lower, upper):
    lo, hi = dobson(total, dsr, var, confidence)
    assert lo == pytest.approx(lower, rel=1e-3)
    assert hi == pytest.approx(upper, rel=1e-3)


@pytest.mark.parametrize(
    "total, dsr, var", [(0, 0, 0), (NAN, 640, 20800), (20, NAN, 20800), (20, 640, NAN), (20, 640, -1),
                        (9, 50, 500)]  # PHE publishes no DSR (so no interval) from fewer than 10 events
)
def test_dobson_not_computable_is_nan(total, dsr, var):
    assert all(np.isnan(dobson(total, dsr, var)))


# ----------------------------------------------------------------------------------------------- dispatcher
def test_interval_mixed_rows():
    kinds = ["proportion", "crude_rate", "crude_rate", "directly_standardised_rate", "life_expectancy", "mean",
             "count", "score", "indirectly_standardised_ratio", "proportion", "crude_rate", None]
    num = [81, 9, 10, 50, 80, 3, 12, 7, 1.1, 5, NAN, 3]
    den = [263, 1000, 1000, 1e5, NAN, 4, NAN, NAN, NAN, 0, 1000, 10]
    mult = [100, 1e5, 1e5, 1e5, 1, 1, 1, 1, 100, 100, 1e5, 100]
    lo, hi, method = interval(kinds, num, den, mult, 0.95)
    assert list(method) == ["Wilson score", "exact Poisson", "Byar's"] + ["not computed"] * 9
    assert lo[:3] == pytest.approx([25.53, 411.5, 478.745], rel=1e-3)
    assert hi[:3] == pytest.approx([36.62, 1708.5, 1839.146], rel=1e-3)
    assert np.isnan(lo[3:]).all() and np.isnan(hi[3:]).all()  # including 5/0 and a missing count


def test_interval_broadcasts_one_value_type_and_handles_scalars():
    lo, hi, method = interval("crude_rate", np.array([0, 9, 10, 11]), 1000, 100_000, 0.998)
    assert list(method) == ["exact Poisson", "exact Poisson", "Byar's", "Byar's"]
    assert lo[:3] == pytest.approx([0.0, 245.25, 291.632], rel=1e-3, abs=1e-12)
    assert hi[:3] == pytest.approx([690.7755, 2265.75, 2419.372], rel=1e-3)
    lo, hi, method = interval("proportion", 50, 100, 100, 0.998)
    assert (float(lo), float(hi), str(method)) == (pytest.approx(35.2376, rel=1e-4), pytest.approx(64.7624, rel=1e-4),
                                                   "Wilson score")


def test_a_published_95_interval_gives_the_998_one_by_the_method_behind_it():
    from icsite.compute.stats import rescaled

    # a DSR from its Dobson 95% limits (the case above): the 99.8% limits are Dobson's at 99.8%
    lo95, hi95 = dobson(20, 640, 20800, 0.95)
    lo, hi = rescaled("directly_standardised_rate", 640, lo95, hi95, 20, 0.998)
    assert (float(lo), float(hi)) == pytest.approx((282.771, 1223.225), rel=1e-4)
    # a life expectancy: 80.0 (79.0 to 81.5): each side scaled by z(99.8%) / z(95%) = 3.090232 / 1.959964
    lo, hi = rescaled("life_expectancy", 80.0, 79.0, 81.5, NAN, 0.998)
    assert (float(lo), float(hi)) == pytest.approx((80 - 1.576679, 80 + 2.365019), rel=1e-5)
    # fewer than 10 events (PHE publishes no such DSR), and other value types: none
    assert np.isnan(rescaled("directly_standardised_rate", 50, 40, 60, 9, 0.998)).all()
    assert np.isnan(rescaled("mean", 50, 40, 60, 100, 0.998)).all()
