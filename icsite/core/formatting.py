"""Number, date and text formatting shared by pages, charts and summaries (fixed formats: deterministic output)."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

import pandas as pd


def is_missing(value) -> bool:
    """True for None, NaN and pandas NA."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def number(value, decimals: int = 1) -> str:
    """12,345.6 with a fixed number of decimals; an en dash when missing."""
    if is_missing(value):
        return "–"
    return f"{float(value):,.{int(decimals)}f}"


def with_unit(value, unit: str, decimals: int = 1) -> str:
    """A value as people read it: 74.1%, 120.3 per 100,000, 79.1 years."""
    if is_missing(value):
        return "no value"
    text = number(value, decimals)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def ordinal(n) -> str:
    """1st, 2nd, 3rd, 11th, 22nd."""
    if is_missing(n):
        return "–"
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(value) -> str:
    """1 April 2026."""
    if is_missing(value) or value is pd.NaT:
        return ""
    d = value.date() if hasattr(value, "date") else value
    if isinstance(d, date):
        return f"{d.day} {d.strftime('%B')} {d.year}"
    return str(value)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
