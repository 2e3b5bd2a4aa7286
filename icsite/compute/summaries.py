"""Plain-English sentences from the statistics. Pure: no I/O.

Each sentence says no more than the numbers support: "better" and "worse" only for significant differences,
"getting better" only for a significant trend, and a reason whenever something is not compared.
"""

from __future__ import annotations

from icsite.compute.trends import CANNOT, NO_CHANGE, NO_YEAR_ON, SIMILAR


def row_sentence(comparison: str, trend: str | None, status: str | None, small_number: bool,
                 before_area: bool = False) -> str:
    """One ICS on one indicator: "Significantly worse than England and getting worse"; for figures published on an
    area's boundary for a period before it existed, a second sentence saying so."""
    sentence = _row_sentence(comparison, trend, status, small_number)
    if before_area:
        sentence += " The figure is for the area's boundary in a period before the board or region existed."
    return sentence


def _row_sentence(comparison: str, trend: str | None, status: str | None, small_number: bool) -> str:
    if status == "suppressed":
        return "Suppressed: the value is not published."
    if small_number:
        return "Too few events to compare with England."
    where = {
        "Better": "Significantly better than England", "Worse": "Significantly worse than England",
        "Similar": "Similar to England", "Higher": "Significantly higher than England",
        "Lower": "Significantly lower than England",
    }.get(comparison, "Not compared with England")
    if not trend or trend in (CANNOT, NO_YEAR_ON):
        return f"{where}."
    if trend == NO_CHANGE:
        return f"{where}, with no significant change over the latest five years."
    if trend == SIMILAR:
        return f"{where}, and similar to a year earlier."
    how = trend.replace("Increasing and ", "").replace("Decreasing and ", "")
    if how in ("getting better", "getting worse", "Better than a year earlier", "Worse than a year earlier"):
        worse = how in ("getting worse", "Worse than a year earlier")
        contrary = (comparison == "Better" and worse) or (comparison == "Worse" and not worse)
        return f"{where}{' but ' if contrary else ' and '}{how[0].lower()}{how[1:]}."
    if trend.endswith("a year earlier"):  # no judgement: higher or lower
        return f"{where}; significantly {trend[0].lower()}{trend[1:]}."
    return f"{where}; {trend.lower()} significantly."


def area_sentences(name: str, counts: dict) -> list[str]:
    """An ICS across all its indicators: how many better, similar, worse; how many improving or worsening."""
    compared = counts.get("compared", 0)
    if not compared:
        return [f"{name} has no indicator that can be compared with England yet."]
    out = [f"{name} is better than England on {counts.get('Better', 0)} of {compared} indicators compared, "
           f"similar on {counts.get('Similar', 0)} and worse on {counts.get('Worse', 0)}."]
    better_trend, worse_trend = counts.get("better_trend", 0), counts.get("worse_trend", 0)
    if better_trend or worse_trend:
        out.append(f"It is improving significantly on {better_trend} and getting significantly worse on "
                   f"{worse_trend} (over the latest five years, or on a year earlier for monthly and quarterly "
                   "figures).")
    else:
        out.append("No indicator shows a significant improvement or deterioration (over the latest five years, or on "
                   "a year earlier for monthly and quarterly figures).")
    return out


def indicator_sentence(period: str, counts: dict, n: int, judged: bool) -> str:
    """All ICSs on one indicator in one period: a sentence a journalist could quote."""
    if not n:
        return "There are no ICS values for this indicator yet."
    if not judged:
        return (f"In {period}, {counts.get('Higher', 0)} of {n} ICSs were significantly higher than England and "
                f"{counts.get('Lower', 0)} significantly lower.")
    return (f"In {period}, {counts.get('Better', 0)} of {n} ICSs were significantly better than England, "
            f"{counts.get('Worse', 0)} significantly worse and {counts.get('Similar', 0)} similar.")
