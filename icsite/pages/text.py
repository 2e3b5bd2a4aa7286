"""Short texts pages show: ranks, lists of names, dates on small charts, changes to the map of boards, polarity."""

from __future__ import annotations

from icsite.core.formatting import is_missing, ordinal

KIND_PLURALS = {"merger": ("a merger", "mergers"), "split": ("a split", "splits"),
                "boundary_change": ("a boundary change", "boundary changes")}


def rank_text(row: dict) -> str:
    """"12th of 42 (could be 7th to 19th)", or a dash when the value is not ranked."""
    if is_missing(row.get("rank")):
        return "–"
    text = f"{ordinal(row['rank'])} of {row['rank_of']}"
    low, high = row.get("rank_lowest"), row.get("rank_highest")
    if not is_missing(low) and not is_missing(high) and low != high:
        text += f" (could be {ordinal(low)} to {ordinal(high)})"
    return text


def rank_range_text(row: dict) -> str:
    """"7th to 19th", or a dash without a range."""
    low, high = row.get("rank_lowest"), row.get("rank_highest")
    return "–" if is_missing(low) or is_missing(high) else f"{ordinal(low)} to {ordinal(high)}"


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def short_date(value) -> str:
    """1 Apr 2026: short enough for a label on a small chart."""
    return f"{value.day} {value.strftime('%b')} {value.year}"


def kinds_text(kinds: dict[str, int]) -> str:
    """"mergers, splits and a boundary change" from the number of a day's successions of each kind."""
    parts = [KIND_PLURALS[k][0 if kinds[k] == 1 else 1] for k in KIND_PLURALS if kinds.get(k)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def change_label(before: int, after: int, when) -> str:
    """The label of a rule where the map of boards changed: "42 boards became 36"."""
    return f"{before} boards became {after}" if before != after else f"Boundaries changed {short_date(when)}"


def polarity_text(polarity: str) -> str:
    return {"high_is_good": "Higher is better", "low_is_good": "Lower is better"}.get(polarity, "No judgement")
