"""Plain-English sentences from the statistics. Pure: no I/O.

Each sentence says no more than the numbers support: "better" and "worse" only for significant differences,
"getting better" only for a significant trend, and a reason whenever something is not compared.
"""

from __future__ import annotations


def row_sentence(comparison: str, trend: str | None, status: str | None, small_number: bool) -> str:
    """One ICS on one indicator: "Significantly worse than England and getting worse"."""
    if status == "suppressed":
        return "Suppressed: the value is not published."
    if small_number:
        return "Too few events to compare with England."
    where = {
        "Better": "Significantly better than England", "Worse": "Significantly worse than England",
        "Similar": "Similar to England", "Higher": "Significantly higher than England",
        "Lower": "Significantly lower than England",
    }.get(comparison, "Not compared with England")
    if not trend or trend == "Cannot be calculated":
        return f"{where}."
    if trend == "No significant change":
        return f"{where}, with no significant change over the latest five periods."
    how = trend.replace("Increasing and ", "").replace("Decreasing and ", "")
    if how in ("getting better", "getting worse"):
        contrary = (comparison == "Better" and how == "getting worse") or (comparison == "Worse" and how == "getting better")
        return f"{where}{' but ' if contrary else ' and '}{how}."
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
        out.append(f"Over the latest five periods it is improving significantly on {better_trend} "
                   f"and getting significantly worse on {worse_trend}.")
    else:
        out.append("No indicator shows a significant change over the latest five periods.")
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
