"""Period labels as people read them (the OHID Fingertips formats) and the dates they stand for.

`parse_period("2023/24")` gives the span a label allows: a financial or academic year starts in 2023 and ends in
2024, so only the years are fixed; a month, a quarter or a calendar year fixes the exact days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}


@dataclass(frozen=True)
class PeriodSpan:
    """What a label says about its dates: exact days, or only the first and last years."""

    start_year: int
    end_year: int
    start: date | None = None  # exact first day, when the label fixes it
    end: date | None = None  # exact last day, when the label fixes it

    def agrees(self, start: date, end: date) -> bool:
        """True when the dates are what the label says."""
        if self.start is not None and start != self.start:
            return False
        if self.end is not None and end != self.end:
            return False
        return start.year == self.start_year and end.year == self.end_year

    def describe(self) -> str:
        """The dates the label allows, for a problem report."""
        if self.start and self.end:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"a period starting in {self.start_year} and ending in {self.end_year}"


def _year2(first: int, two: str) -> int:
    """The four-digit year of a two-digit year that follows `first` (23 after 2021 is 2023; 01 after 1999 is 2001)."""
    year = first // 100 * 100 + int(two)
    return year + 100 if year < first else year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: int, q: int, financial: bool) -> tuple[date, date]:
    """First and last day of a calendar quarter, or of a financial quarter (Q1 = April to June)."""
    first_month = (q - 1) * 3 + (4 if financial else 1)
    y = year + (first_month - 1) // 12
    m = (first_month - 1) % 12 + 1
    end_month = m + 2
    return date(y, m, 1), _month_end(y + (end_month - 1) // 12, (end_month - 1) % 12 + 1)


PATTERNS: list[tuple[re.Pattern, object]] = []


def pattern(regex: str):
    """Register a parser for labels matching `regex` (whole label, case-insensitive)."""
    def register(func):
        PATTERNS.append((re.compile(rf"^\s*{regex}\s*$", re.I), func))
        return func
    return register


@pattern(r"(\d{4})")
def _calendar_year(m):
    y = int(m[1])
    return PeriodSpan(y, y, date(y, 1, 1), date(y, 12, 31))


@pattern(r"(\d{4})\s*-\s*(\d{2})")
def _calendar_years(m):
    a, b = int(m[1]), _year2(int(m[1]), m[2])
    return PeriodSpan(a, b, date(a, 1, 1), date(b, 12, 31))


@pattern(r"(\d{4})/(\d{2})")
def _financial_year(m):
    return PeriodSpan(int(m[1]), _year2(int(m[1]), m[2]))


@pattern(r"(\d{4})/(\d{2})\s*-\s*(\d{2})/(\d{2})")
def _financial_years(m):
    a = int(m[1])
    return PeriodSpan(a, _year2(a, m[4]))


@pattern(r"(\d{4})\s+Q([1-4])")
def _calendar_quarter(m):
    start, end = _quarter(int(m[1]), int(m[2]), financial=False)
    return PeriodSpan(start.year, end.year, start, end)


@pattern(r"(\d{4})/(\d{2})\s+Q([1-4])")
def _financial_quarter(m):
    start, end = _quarter(int(m[1]), int(m[3]), financial=True)
    return PeriodSpan(start.year, end.year, start, end)


@pattern(r"(\d{4})/(\d{2})\s+Q([1-4])\s*-\s*Q([1-4])")
def _financial_quarters(m):
    start, _ = _quarter(int(m[1]), int(m[3]), financial=True)
    _, end = _quarter(int(m[1]), int(m[4]), financial=True)
    return PeriodSpan(start.year, end.year, start, end)


@pattern(r"(\d{4})/(\d{2})\s+Q([1-4])\s*-\s*(\d{4})/(\d{2})\s+Q([1-4])")
def _rolling_quarters(m):
    start, _ = _quarter(int(m[1]), int(m[3]), financial=True)
    _, end = _quarter(int(m[4]), int(m[6]), financial=True)
    return PeriodSpan(start.year, end.year, start, end)


@pattern(r"([A-Za-z]{3})\s+(\d{4})")
def _month(m):
    month = MONTHS.get(m[1].lower())
    if month is None:
        return None
    y = int(m[2])
    return PeriodSpan(y, y, date(y, month, 1), _month_end(y, month))


@pattern(r"([A-Za-z]{3})\s+(\d{4})\s*-\s*([A-Za-z]{3})\s+(\d{4})")
def _months(m):
    a, b = MONTHS.get(m[1].lower()), MONTHS.get(m[3].lower())
    if a is None or b is None:
        return None
    y1, y2 = int(m[2]), int(m[4])
    return PeriodSpan(y1, y2, date(y1, a, 1), _month_end(y2, b))


def parse_period(label: str) -> PeriodSpan | None:
    """The span a period label stands for, or None when the label is in no known format."""
    if not isinstance(label, str):
        return None
    for regex, func in PATTERNS:
        match = regex.match(label)
        if match:
            return func(match)
    return None
