"""The top of an ICS profile, in the order a citizen reads: a one-sentence verdict, the indicators most clearly better
and worse than England, and, for a board too new (or too old) for some figures, which indicators have none and why.
"""

from __future__ import annotations


from icsite.compute.peers import PEER_MEASURES
from icsite.core.display import Link
from icsite.core.formatting import is_missing, long_date
from icsite.pages.index import SiteIndex
from icsite.pages.text import join_names

HIGHLIGHTS = 3  # indicators named each side at the top of a profile
PEER_WORDS = {"registered_population": "registered population", "imd_score": "deprivation score (IMD 2025)"}


def verdict(name: str, counts: dict) -> str:
    """The one sentence at the top of a profile: how many indicators are better, similar and worse than England."""
    compared = counts.get("compared", 0)
    if not compared:
        return f"{name} has no indicator that can be compared with England yet."
    return (f"Compared with England, {name} is better on {counts.get('Better', 0)} of the {compared} indicators we "
            f"can compare, similar on {counts.get('Similar', 0)} and worse on {counts.get('Worse', 0)}.")


def highlights(ix: SiteIndex, latest: dict, n: int = HIGHLIGHTS) -> tuple[list[Link], list[Link]]:
    """The n indicators most clearly better than England and the n most clearly worse: among those significantly
    different, the largest differences relative to England's value. Each a link (plain title) with its figures."""
    sides: dict[str, list[tuple[float, int, Link]]] = {"Better": [], "Worse": []}
    for order, ind_id in enumerate(ix.indicator_order):
        r = latest.get(ind_id)
        if r is None or r["compared_to_england"] not in sides or r["status"] == "suppressed":
            continue
        value, england = r["value"], r["england_value"]
        if is_missing(value) or is_missing(england):
            continue
        gap = abs(float(value) - float(england)) / abs(float(england)) if float(england) else abs(float(value))
        ind = ix.ind[ind_id]
        note = f"{ix.fmt(value, ind)} against England's {ix.fmt(england, ind)} ({r['period']})"
        sides[r["compared_to_england"]].append((-gap, order, plain_link(ix, ind_id, note)))
    return tuple([link for *_, link in sorted(rows, key=lambda t: t[:2])[:n]]  # type: ignore[return-value]
                 for rows in (sides["Better"], sides["Worse"]))


def plain_link(ix: SiteIndex, ind_id: str, note: str = "") -> Link:
    """A link to an indicator's page under its plain title (the short title)."""
    link = ix.indicator_link(ind_id)
    return Link(str(ix.ind[ind_id]["short_title"]), link.href, note)


def period_range(ix: SiteIndex, ind_id: str) -> tuple | None:
    """(first period, its start, last period, its end) of an indicator's published values, or None."""
    periods = ix.periods.get(ind_id) or []
    if not periods:
        return None
    first = min(periods, key=lambda p: p[1])
    last = max(periods, key=lambda p: p[2])
    return first[0], first[1], last[0], last[2]


def not_yet(ix: SiteIndex, code: str, latest: dict) -> list[tuple[str, list[Link]]]:
    """The indicators a board has no figures for, grouped by why: published only before it was formed, only after
    it closed, or not published for it. Each a link with the indicator's latest (or first) period."""
    area = ix.area[code]
    name = area["short_name"]
    before, after, other = [], [], []
    for ind_id in ix.indicator_order:
        if ind_id in latest:
            continue
        span = period_range(ix, ind_id)
        if span is None:
            continue
        first, start, last, end = span
        if end < area["valid_from"]:
            before.append(plain_link(ix, ind_id, f"latest figures: {last}"))
        elif not is_missing(area["valid_to"]) and start > area["valid_to"]:
            after.append(plain_link(ix, ind_id, f"first figures: {first}"))
        else:
            other.append(plain_link(ix, ind_id, f"latest figures: {last}"))
    groups = []
    if before:
        groups.append((f"The latest figures published are for periods before {name}'s board was formed on "
                       f"{long_date(area['valid_from'])}: they describe the boards it took over from. {name} will "
                       "have figures from the first period published for its own area.", before))
    if after:
        groups.append((f"First published for periods after {name}'s board closed on {long_date(area['valid_to'])}: "
                       "the boards that cover its area now have them.", after))
    if other:
        groups.append((f"Not published for {name}: the source has no figure for its area in the periods the data "
                       "covers.", other))
    return groups


def population_note(ix: SiteIndex, code: str, latest: dict) -> str:
    """Why a profile has no population figure, and when it will: "" when it has one."""
    if "registered_population" in latest or "registered_population" not in ix.ind:
        return ""
    area, ind = ix.area[code], ix.ind["registered_population"]
    span = period_range(ix, "registered_population")
    if span is None:
        return "Not published yet: the data has no registered population figures."
    if span[3] < area["valid_from"]:
        return (f"Not published yet. The latest {ind['frequency']} figures in the data are for {span[2]}, before "
                f"the board was formed on {long_date(area['valid_from'])}; its population will show with the first "
                f"figures published for its own area ({ind['source']}).")
    return f"Not published for this board: the latest figures in the data ({span[2]}) do not include it."


def peers_note(ix: SiteIndex, code: str, latest: dict) -> str:
    """Why a current board has no similar systems: the peer measures it lacks. "" when it has peers or is closed."""
    area = ix.area[code]
    if ix.comp.peers.get(code) or not area["current"]:
        return ""
    missing = [PEER_WORDS.get(ind_id, ind_id) for ind_id, _ in PEER_MEASURES if ind_id not in latest]
    name = area["short_name"]
    if not missing:
        return (f"Similar systems are found by registered population and deprivation; {name} has both, but no other "
                "board of today has them to compare with.")
    absent = [PEER_WORDS.get(ind_id, ind_id) for ind_id, _ in PEER_MEASURES if ind_id not in ix.ind]
    if absent:
        return (f"Similar systems are found by registered population and deprivation, and this site's data has no "
                f"{join_names(absent)}, so no board can be placed among the others.")
    return (f"Similar systems are found by registered population and deprivation. {name} has no "
            f"{join_names(missing)} yet, so it cannot be placed among the other boards. It will have similar "
            "systems once they are published for its area.")


def england_counts(ix: SiteIndex, latest: dict) -> dict:
    """How many of an area's latest rows are better, similar and worse than England, of those compared (indicators
    with a judgement): what `verdict` is made from."""
    counts = {"Better": 0, "Worse": 0, "Similar": 0, "compared": 0}
    for ind_id, r in latest.items():
        comparison = r["compared_to_england"]
        if ix.ind[ind_id]["polarity"] != "no_judgement" and comparison != "Not compared":
            counts["compared"] += 1
            counts[comparison] = counts.get(comparison, 0) + 1
    return counts
