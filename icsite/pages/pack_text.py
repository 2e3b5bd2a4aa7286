"""The words of a peer-challenge pack (pages.pack): its summary sentences, how sure each kind of statement is, its
methods note, and the profile's spine chart as the pack shows it (the image the build already makes)."""

from __future__ import annotations

from icsite.compute.peers import PEERS
from icsite.compute.trends import TREND_POINTS
from icsite.core.formatting import long_date
from icsite.pages.contexts import TravelRow, WorseRow
from icsite.pages.index import SiteIndex
from icsite.pages.profile_summary import PEER_WORDS, peers_note
from icsite.pages.questions import QUESTIONS
from icsite.pages.text import join_names


def plural(n: int, word: str) -> str:
    """"1 indicator", "2 indicators"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def peer_sentences(ix: SiteIndex, code: str, counts: dict, gaps_with_peers: int) -> list[str]:
    """Where the board stands against its similar systems (`pack.peer_counts`), or why it has none."""
    area, peers = ix.area[code], ix.comp.peers.get(code, [])
    name = area["short_name"]
    if not area["current"]:
        return [f"{name} closed on {long_date(area['valid_to'])}, so it is not compared with similar systems today, "
                "and no system is offered to learn from."]
    if not peers:
        return [peers_note(ix, code, ix.latest.get(code, {}))]
    names = join_names([ix.short_names[c] for c in peers])
    out = [f"Its {len(peers)} similar systems, the boards most like it in size and deprivation, are {names}."
           if len(peers) > 1 else f"Its similar system, the board most like it in size and deprivation, is {names}."]
    if not counts["compared"]:
        return out + [f"No indicator has 95% intervals for {name} and its similar systems in the same period, so "
                      "none can be compared."]
    them = "them" if len(peers) > 1 else "it"
    out.append(f"On {plural(counts['compared'], 'indicator')} they can be compared in the same period. On "
               f"{counts['behind']} of them {'at least one similar system' if len(peers) > 1 else names} is "
               f"significantly better than {name}; {name} is significantly better than "
               + (f"all of them on {counts['ahead_all']}, and than at least one on {counts['ahead_any']}."
                  if len(peers) > 1 else f"{them} on {counts['ahead_any']}."))
    if gaps_with_peers:
        out.append(f"Among the indicators on which {name} is worse than England, similar systems do significantly "
                   f"better on {gaps_with_peers}: the table of gaps names them, with what they did.")
    return out


def gaps_intro(name: str, gaps: list[WorseRow], peers: bool) -> str:
    """What the table of gaps holds."""
    parts = [f"the similar systems significantly better than {name} in the same period (their values in brackets, "
             "in the indicator's unit)"] if peers else []
    parts += ["the systems improving most"] if any(g.improvers for g in gaps) else []
    parts += ["what they did"] if any(g.stories for g in gaps) else []
    return (f"The {plural(len(gaps), 'indicator')} on which {name} is significantly worse than England in its latest "
            "period" + (f", with {join_names(parts)}." if parts else "."))


def travel_sentences(name: str, improving: list[TravelRow], worsening: list[TravelRow]) -> list[str]:
    """What is improving and what is getting worse, by name."""
    if not improving and not worsening:
        return [f"No indicator of {name} is improving or getting worse significantly."]
    out = []
    for rows, words in ((improving, "improving significantly"), (worsening, "getting significantly worse")):
        titles = join_names([r.indicator.text for r in rows]) if rows else ""
        out.append(f"{name} is {words} on {plural(len(rows), 'indicator')}: {titles}." if rows
                   else f"{name} is not {words} on any indicator.")
    return out


def target_sentence(name: str, counts: tuple[int, int]) -> list[str]:
    """How many targets the board meets in their latest period."""
    judged, met = counts
    if not judged:
        return []
    return [f"Of the {plural(judged, 'indicator')} with a target, {name} meets {met}." if judged > 1
            else f"{name} {'meets' if met else 'does not meet'} the target of the one indicator that has one."]


def how_sure(peers: bool) -> list[str]:
    """How sure each kind of statement in the pack is, in plain words (of similar systems only when it has some)."""
    return [
        "Better or worse than England: the system's 95% confidence interval does not include England's value. "
        "Where there is no real difference, a test at this level still finds one about once in 20 tries, so among "
        "many indicators one or two differences may be chance.",
    ] + ([
        "Better or worse than a similar system: the two systems' 95% confidence intervals do not overlap at all. "
        "That is a stricter test, so a difference named here is very unlikely to be chance, though some real "
        "differences are too small for it to find.",
    ] if peers else []) + [
        "Improving or getting worse: the change passes a test at the 99.8% level, so a series that is not really "
        "changing would pass it about once in 500 tries. Yearly figures use OHID's recent trend test on the latest "
        f"{TREND_POINTS} values; monthly and quarterly figures compare the latest value with the same month or "
        "quarter a year earlier.",
    ]


def methods(ix: SiteIndex, code: str, latest: dict) -> list[str]:
    """The methods note: where the figures come from and how the comparisons and questions are made."""
    name = ix.short_names[code]
    made_up = sum(1 for ind_id in latest if ix.ind[ind_id]["illustrative"])
    measures = join_names(list(PEER_WORDS.values()))
    out = [f"Each figure is {name}'s latest published value of the indicator, compared with England's value in "
           "the same period. The figures are those of the release listed below; the profile and each indicator's "
           "page have every value, its confidence interval and its source."]
    if made_up:
        out.append(f"{made_up} of the {len(latest)} indicators have illustrative values, generated to show how the "
                   "site works: they are not official statistics, and are marked as illustrative wherever they "
                   "appear.")
    out += [f"Similar systems are the {PEERS} boards of today nearest to {name} on {measures}. Systems improving "
            "most are the boards of today whose values improved most significantly, among those with a value in "
            "the same period.",
            f"The questions are made from the figures by fixed rules: one for each indicator, at most {QUESTIONS}, "
            "the largest differences first (from the best similar system, from England, over the direction of "
            "travel, or from the target). They ask why; the figures alone cannot say."]
    if ix.stories:
        out.append("Improvement stories are accounts of what a system did, written by the system or drawn from a "
                   "published source; one marked as an example is invented, to show what a story looks like.")
    return out


def spine_count(ix: SiteIndex, latest: dict) -> int:
    """How many indicators the profile's spine chart shows (`SiteIndex.on_spine`)."""
    return sum(1 for ind_id, r in latest.items() if ix.on_spine(ind_id, r))


def spine_picture(ix: SiteIndex, code: str, name: str, latest: dict) -> dict | None:
    """The profile's spine chart image as the pack shows it (image and phone image, caption, description and the
    profile's table of its values), or None when the build draws no image of it."""
    n = spine_count(ix, latest)
    if not n or ix.images == "none":
        return None
    here = f"ics/{ix.slugs[code]}/"
    return {"image": f"{here}spine.svg", "phone": f"{here}spine-phone.svg",
            "caption": f"{name} compared with all ICSs and England",
            "description": f"Spine chart of {n} indicators: for each, a bar spans the ICSs from worst to best (the "
                           "darker middle part holds the middle half), a line marks England and a point marks "
                           f"{name}, shaped and shaded by how it compares with England.",
            "table": f"{here}#overview"}
