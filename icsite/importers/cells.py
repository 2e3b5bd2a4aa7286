"""The cells of a source row as a package writes them: numbers, period dates and frequency, short titles."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

from icsite.core.periods import parse_period


def parse_number(text: str) -> float | None:
    """A number cell: None when empty; ValueError when it is not a finite number. Thousands commas are allowed."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def fmt_number(x: float | int | None) -> str:
    """A number as written in the package: whole numbers plain, others in the shortest exact form, None empty."""
    if x is None:
        return ""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = repr(x)
    if "e" in text:  # no exponents in the package: fixed point, trailing zeros dropped
        text = f"{x:.15f}".rstrip("0").rstrip(".")
    return text


def period_dates(label: str) -> tuple[date, date] | None:
    """The first and last day of a period label (`icsite.core.periods.parse_period`), or None if it is in no known
    format. A label that fixes only the years (`2023/24`, `2019/20 - 21/22`) is taken as financial years:
    1 April of the first year to 31 March of the last."""
    span = parse_period(label)
    if span is None:
        return None
    start = span.start or date(span.start_year, 4, 1)
    end = span.end or date(span.end_year, 3, 31)
    if start > end or not span.agrees(start, end):
        return None
    return start, end


def period_months(start: date, end: date) -> int:
    """How many calendar months a period covers (rounded)."""
    return round(((end + timedelta(days=1)) - start).days / 30.44)


def frequency_of(months: list[int]) -> str:
    """The frequency of the most common period length: a month, a quarter (or part-year), a year, three years.
    Other multi-year windows (two or five years) are published once a year: annual."""
    if not months:
        return "annual"
    common = Counter(months).most_common(1)[0][0]
    if common <= 1:
        return "monthly"
    if common < 12:
        return "quarterly"
    if common == 36:
        return "three_year"
    return "annual"


def short_title(title: str, limit: int = 32) -> str:
    """The title cut at a word boundary to at most `limit` characters (with an ellipsis when cut)."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,;:-(") + "…"

