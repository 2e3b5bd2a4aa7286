"""Tick values, nice domains and tick labels as d3 makes them for Vega: linear scales and time scales (in UTC).

Our own drawing of a chart (`trend_image`) puts its axes' ticks where Vega would: d3's tick steps of 1, 2 or 5
times a power of ten, its `nice` rounding of a domain, its choice among calendar intervals for dates, and its
number and date formats. Dates are in UTC, whatever the machine's time zone, so an image does not depend on
where it is drawn (vl-convert takes the machine's zone: on a machine in UTC, as the site's are built, the same).
"""

from __future__ import annotations

import bisect
import math
import re
from datetime import datetime, timedelta, timezone

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SECOND, DAY = 1000, 86_400_000
#: d3's time tick intervals: (unit, step, duration in ms); "ms" steps are fixed intervals from midnight
INTERVALS = [("ms", s * SECOND, s * SECOND) for s in (1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200)] \
    + [("day", 1, DAY), ("day", 2, 2 * DAY), ("week", 1, 7 * DAY), ("month", 1, 30 * DAY), ("month", 3, 90 * DAY),
       ("year", 1, 365 * DAY)]
E10, E5, E2 = math.sqrt(50), math.sqrt(10), math.sqrt(2)


def vega_round(value: float) -> int:
    """JavaScript's Math.round: halves round up."""
    return math.floor(value + 0.5)


def tick_spec(start: float, stop: float, count: float) -> tuple[int, int, float]:
    """d3's tick spec: the first and last tick index and the increment (negative: its inverse)."""
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10 ** power
    factor = 10 if error >= E10 else 5 if error >= E5 else 2 if error >= E2 else 1
    if power < 0:
        inc = 10 ** -power / factor
        i1, i2 = vega_round(start * inc), vega_round(stop * inc)
        i1 += i1 / inc < start
        i2 -= i2 / inc > stop
        inc = -inc
    else:
        inc = 10 ** power * factor
        i1, i2 = vega_round(start / inc), vega_round(stop / inc)
        i1 += i1 * inc < start
        i2 -= i2 * inc > stop
    if i2 < i1 and 0.5 <= count < 2:
        return tick_spec(start, stop, count * 2)
    return i1, i2, inc


def ticks(start: float, stop: float, count: float) -> list[float]:
    """d3's round tick values between start and stop (about `count` of them)."""
    if start == stop:
        return [start]
    i1, i2, inc = tick_spec(start, stop, count)
    return [(i1 + i) / -inc if inc < 0 else (i1 + i) * inc for i in range(max(0, i2 - i1 + 1))]


def tick_step(start: float, stop: float, count: float) -> float:
    """d3's tick step (positive)."""
    inc = tick_spec(start, stop, count)[2]
    return 1 / -inc if inc < 0 else inc


def nice(start: float, stop: float, count: int = 10) -> tuple[float, float]:
    """A linear scale's domain extended to round values, as d3's `nice` extends it."""
    previous = None
    lo, hi = start, stop
    for _ in range(10):
        if not hi > lo:
            break
        step = tick_spec(lo, hi, count)[2]
        if step == previous:
            return lo, hi
        if step > 0:
            lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        else:
            lo, hi = math.ceil(lo * step) / step, math.floor(hi * step) / step
        previous = step
    return start, stop


def exponent(value: float) -> int:
    """The decimal exponent of a number (d3-format's `exponent`)."""
    return int(f"{abs(value):e}".split("e")[1])


def number_format(value: float, decimals: int) -> str:
    """A tick label as d3 formats ",.Nf": thousands separated, and a minus sign (not a hyphen) below zero."""
    text = f"{abs(value):,.{decimals}f}"
    return "\u2212" + text if value < 0 and text.strip("0.,") else text


def time_ticks(start: float, stop: float, count: int) -> list[float]:
    """d3's time ticks (in UTC) from start to stop (ms): those of the interval among d3's nearest `count` ticks."""
    if not stop > start:
        return []
    target = (stop - start) / count
    i = bisect.bisect_right([d for *_, d in INTERVALS], target)
    if i == len(INTERVALS):
        unit, step = "year", math.floor(tick_step(start / (365 * DAY), stop / (365 * DAY), count))
    elif i == 0:
        unit, step = "ms", max(math.floor(tick_step(start, stop, count)), 1)
    else:
        unit, step, _ = INTERVALS[i - 1 if target / INTERVALS[i - 1][2] < INTERVALS[i][2] / target else i]
    if unit == "ms":  # a fixed interval, counted from midnight
        return [float(t) for t in range(math.ceil(start / step) * step, math.floor(stop) + 1, step)]
    out = []
    for when in calendar(datetime.fromtimestamp(math.ceil(start / DAY) * DAY / 1000, timezone.utc), unit):
        if when.timestamp() * 1000 > stop:
            return out
        if (when.year if unit == "year" else when.month - 1 if unit == "month" else when.day - 1) % step == 0 \
                or unit == "week":
            out.append(when.timestamp() * 1000)
    return out


def time_format(ms: float, pattern: str) -> str:
    """A date (ms since 1970, UTC) as d3's timeFormat writes it, for the directives %b %B %d %m %Y %y %%."""
    when = datetime.fromtimestamp(ms / 1000, timezone.utc)
    parts = {"b": MONTHS[when.month - 1], "B": when.strftime("%B"), "d": f"{when.day:02d}", "m": f"{when.month:02d}",
             "Y": str(when.year), "y": f"{when.year % 100:02d}", "%": "%"}

    def part(match: re.Match) -> str:
        if match[1] not in parts:
            raise ValueError(f"trend chart images cannot write the date format %{match[1]}")
        return parts[match[1]]

    return re.sub(r"%(.)", part, pattern)


def calendar(first: datetime, unit: str):
    """The starts of the years, months, weeks (Sundays) or days from `first` (a UTC midnight) on."""
    year, month = first.year, first.month
    if unit == "year":
        year += (first.month, first.day) != (1, 1)
        while True:
            yield datetime(year, 1, 1, tzinfo=timezone.utc)
            year += 1
    elif unit == "month":
        month += first.day != 1
        while True:
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
            yield datetime(year, month, 1, tzinfo=timezone.utc)
            month += 1
    else:
        when = first + timedelta(days=(6 - first.weekday()) % 7 if unit == "week" else 0)
        while True:
            yield when
            when += timedelta(days=7 if unit == "week" else 1)
