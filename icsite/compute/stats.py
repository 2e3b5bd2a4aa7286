"""Confidence intervals as published by OHID Fingertips and the PHEindicatormethods R package; pure and vectorised.

Methods and their sources:

* Wilson score interval for a proportion: Wilson EB (1927) J Am Stat Assoc 22:209-212; Newcombe RG (1998)
  Statistics in Medicine 17:857-872 (method 3, no continuity correction).
* Byar's approximation for a Poisson count: Breslow NE, Day NE (1987) Statistical Methods in Cancer Research
  vol. II, IARC; used for counts of 10 or more.
* Exact Poisson limits from the chi-squared distribution: Garwood F (1936) Biometrika 28:437-442; used for counts
  below 10. The chi-squared quantile is found by bisection on the regularised lower incomplete gamma function
  (series and continued fraction as described in Press et al., Numerical Recipes, section 6.2).
* Dobson's method for a directly standardised rate: Dobson AJ et al. (1991) Statistics in Medicine 10:457-462.
  PHE publishes no rate (and so no interval) from fewer than 10 events.
* A published interval at another confidence level (`rescaled`): for a directly standardised rate with its event
  count, Dobson's form (the published limits give each side's scale, sqrt(var / O)); for a life expectancy, the
  normal approximation its published limits come from (Chiang's method, as Fingertips computes it).

The rules for choosing among them follow Public Health England, "Technical Guide: Confidence Intervals" (Public
Health Data Science, 25 May 2018). Every function takes numbers or numpy arrays and returns float arrays (0-d for
scalar input), NaN wherever an interval cannot be computed: missing or negative inputs, a zero denominator, or a
numerator larger than the denominator of a proportion.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from icsite.core.standard import DSR_FROM

EXACT_BELOW = 10  # counts below this get exact Poisson limits, the rest Byar's (PHE Technical Guide 2018)
WILSON, BYAR, EXACT, NOT_COMPUTED = "Wilson score", "Byar's", "exact Poisson", "not computed"


def z_for(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level between 0 and 1 (0.95 -> 1.95996...)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _floats(*arrays):
    """The arguments as float arrays broadcast to one shape."""
    return np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arrays))


def _out(lower, upper):
    """The two limits as float arrays (0-d for scalar input)."""
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def wilson(numerator, denominator, confidence: float = 0.95, multiplier=100):
    """Wilson score limits of numerator / denominator, on the scale of the value (times multiplier)."""
    x, n, m = _floats(numerator, denominator, multiplier)
    z = z_for(confidence)
    ok = (n > 0) & (x >= 0) & (x <= n)  # False wherever an input is NaN
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(ok, 1 - x / n, np.nan)  # the complementary proportion
        centre = 2 * x + z * z
        spread = z * np.sqrt(z * z + 4 * x * q)
        scale = 2 * (n + z * z)
        lower = np.where(x == 0, 0.0, (centre - spread) / scale)
        upper = np.where(x == n, 1.0, (centre + spread) / scale)
    nan = np.where(ok, 1.0, np.nan)
    return _out(np.clip(lower, 0, 1) * m * nan, np.clip(upper, 0, 1) * m * nan)


def byar(count, confidence: float = 0.95):
    """Byar's approximate limits of a Poisson count; lower is 0 for 0 events, NaN where the cube goes negative."""
    (o,) = _floats(count)
    z = z_for(confidence)
    o = np.where(o >= 0, o, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    lower = np.where(o == 0, 0.0, np.where(lower >= 0, lower, np.nan))  # as PHEindicatormethods: negative -> NaN
    return _out(lower, upper)


def gammainc_lower_regularised(a: float, x: float) -> float:
    """P(a, x) = (1 / Gamma(a)) * integral from 0 to x of t^(a-1) e^-t dt, for a > 0 and x >= 0."""
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)  # log of x^a e^-x / Gamma(a)
    if x < a + 1:  # series: P = x^a e^-x / Gamma(a+1) * sum over k of x^k / ((a+1)...(a+k))
        term = total = 1 / a
        k = a
        while abs(term) > abs(total) * 1e-16:
            k += 1
            term *= x / k
            total += term
        return total * math.exp(log_front)
    # continued fraction for Q = 1 - P, evaluated by the modified Lentz method
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    fraction = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = c * d
        fraction *= step
        if abs(step - 1) < 1e-15:
            break
    return 1 - math.exp(log_front) * fraction


def gamma_quantile(a: float, p: float) -> float:
    """The x with P(a, x) = p (a standard gamma quantile; the chi-squared quantile on 2a df is twice it)."""
    lo, hi = 0.0, a + 10 * math.sqrt(a) + 10
    while gammainc_lower_regularised(a, hi) < p:
        lo, hi = hi, 2 * hi
    for _ in range(200):  # bisection: slow but sure, and run once per distinct count
        mid = (lo + hi) / 2
        if gammainc_lower_regularised(a, mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return (lo + hi) / 2


@lru_cache(maxsize=4096)
def _exact_one(o: float, confidence: float) -> tuple[float, float]:
    """Exact limits of one count: chi2(alpha/2, 2O)/2 and chi2(1 - alpha/2, 2O + 2)/2."""
    alpha = 1 - confidence
    lower = 0.0 if o == 0 else gamma_quantile(o, alpha / 2)
    return lower, gamma_quantile(o + 1, 1 - alpha / 2)


def exact_poisson(count, confidence: float = 0.95):
    """Exact (Garwood) limits of a Poisson count, computed once per distinct count."""
    (o,) = _floats(count)
    z_for(confidence)  # validates the level
    lower, upper = np.full(o.shape, np.nan), np.full(o.shape, np.nan)
    ok = o >= 0
    values, where = np.unique(o[ok], return_inverse=True)
    limits = np.array([_exact_one(float(v), float(confidence)) for v in values]).reshape(-1, 2)
    lower[ok], upper[ok] = limits[where, 0], limits[where, 1]
    return lower, upper


def poisson_count_ci(count, confidence: float = 0.95):
    """Limits of a Poisson count: exact below 10 events, Byar's from 10."""
    (o,) = _floats(count)
    small = o < EXACT_BELOW
    exact_lo, exact_hi = exact_poisson(np.where(small, o, np.nan), confidence)
    byar_lo, byar_hi = byar(np.where(small, np.nan, o), confidence)
    return _out(np.where(small, exact_lo, byar_lo), np.where(small, exact_hi, byar_hi))


def poisson_rate_ci(count, denominator, multiplier, confidence: float = 0.95):
    """Limits of a crude rate count / denominator * multiplier (exact Poisson below 10 events, Byar's from 10)."""
    o, n, m = _floats(count, denominator, multiplier)
    lower, upper = poisson_count_ci(o, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(n > 0, m / n, np.nan)
    return _out(lower * scale, upper * scale)


def dobson(total_count, dsr, var_dsr, confidence: float = 0.95):
    """Dobson limits of a directly standardised rate; var_dsr is on the DSR's own scale (its multiplier squared)."""
    o, value, var = _floats(total_count, dsr, var_dsr)
    lower_o, upper_o = poisson_count_ci(o, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.where((o >= DSR_FROM) & (var >= 0), np.sqrt(var / o), np.nan)
    return _out(value + root * (lower_o - o), value + root * (upper_o - o))


def rescaled(value_type, value, lower, upper, count, confidence: float):
    """Limits at `confidence` from published 95% limits: Dobson's form for a directly standardised rate with its
    event count (DSR_FROM events or more), the normal approximation for a life expectancy; NaN for anything else."""
    v, lo, hi, o = _floats(value, lower, upper, count)
    kind = np.broadcast_to(np.asarray(value_type, dtype=object), v.shape)
    dsr, life = (kind == "directly_standardised_rate") & (o >= DSR_FROM), kind == "life_expectancy"
    with np.errstate(invalid="ignore", divide="ignore"):
        o_lo95, o_hi95 = poisson_count_ci(np.where(dsr, o, np.nan), 0.95)
        o_lo, o_hi = poisson_count_ci(np.where(dsr, o, np.nan), confidence)
        dsr_lo = v - (v - lo) / (o - o_lo95) * (o - o_lo)
        dsr_hi = v + (hi - v) / (o_hi95 - o) * (o_hi - o)
        z = z_for(confidence) / z_for(0.95)
    lower_out = np.where(dsr, dsr_lo, np.where(life, v - (v - lo) * z, np.nan))
    upper_out = np.where(dsr, dsr_hi, np.where(life, v + (hi - v) * z, np.nan))
    return _out(lower_out, upper_out)


def interval(value_type, numerator, denominator, multiplier, confidence: float = 0.95):
    """(lower, upper, method) per row: Wilson for proportions, exact Poisson or Byar's for crude rates, else NaN."""
    x, n, m = _floats(numerator, denominator, multiplier)
    kind = np.broadcast_to(np.asarray(value_type, dtype=object), x.shape)
    proportion, rate = kind == "proportion", kind == "crude_rate"
    w_lo, w_hi = wilson(np.where(proportion, x, np.nan), n, confidence, m)
    r_lo, r_hi = poisson_rate_ci(np.where(rate, x, np.nan), n, m, confidence)
    lower = np.where(proportion, w_lo, np.where(rate, r_lo, np.nan))
    upper = np.where(proportion, w_hi, np.where(rate, r_hi, np.nan))
    code = np.where(proportion, 1, np.where(rate, np.where(x < EXACT_BELOW, 2, 3), 0))
    code = np.where(np.isnan(lower) | np.isnan(upper), 0, code)
    method = np.asarray(np.array([NOT_COMPUTED, WILSON, EXACT, BYAR], dtype=object)[code], dtype=object)
    return *_out(lower, upper), method
