"""An ICS's peer-challenge pack (`ics/<slug>/pack/`): its profile condensed for a board paper.

A page of summary (against England, against its similar systems, what is improving and worsening, and how sure each
statement is), the indicators worse than England with the similar systems doing better and what they did, the
direction of travel with the values at each end of its window, questions for the board (pages.questions), and how
the figures are made, with the release they come from and the pages they are on. Built from what the site has
already computed (SiteIndex), with no chart of its own: it shows the profile's spine chart image. Printed, it fits
on 8 A4 pages; another step of the build may print it to PDF at `pack_pdf_path`.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pandas as pd

from icsite.compute.peers import better
from icsite.compute.trends import RECENT, TREND_POINTS, YEAR_ON
from icsite.core.display import Link
from icsite.core.formatting import is_missing, long_date
from icsite.pages.contexts import PackPage, TravelRow, WorseRow
from icsite.pages.index import SiteIndex
from icsite.pages.pack_text import (gaps_intro, how_sure, methods, peer_sentences, spine_picture,
                                    target_sentence, travel_sentences)
from icsite.pages.profile_summary import england_counts, highlights, plain_link, verdict
from icsite.pages.questions import Change, Finding, Peer, questions

JUDGED = ("high_is_good", "low_is_good")
TESTS = {RECENT: f"trend over the latest {TREND_POINTS} years", YEAR_ON: "against a year earlier"}


def pack_path(slug: str) -> str:
    """The pack's page, relative to the site root: "ics/<slug>/pack/"."""
    return f"ics/{slug}/pack/"


def pack_pdf_path(slug: str) -> str:
    """The pack as a PDF, relative to the site root: "ics/<slug>/pack/<slug>-peer-challenge-pack.pdf"."""
    return f"{pack_path(slug)}{slug}-peer-challenge-pack.pdf"


class Shared:
    """What every pack reads besides the index, looked up once per build: each ICB's row in its indicator's latest
    period (with its 95% interval and comparison with the target), and the site's content pages."""

    def __init__(self, ix: SiteIndex):
        self.now = {(ind_id, row["area_code"]): row for ind_id, rows in ix.now.items() for row in rows}
        self.content = {page.slug for page in ix.data.pages}


def pack_pages(ix: SiteIndex, pdf: bool = False) -> Iterator[PackPage]:
    """Every ICB's pack, in code order (the profiles' order), one at a time."""
    shared = Shared(ix)
    for code in sorted(ix.with_data):
        yield pack_page(ix, code, shared, pdf)


def pack_page(ix: SiteIndex, code: str, shared: Shared | None = None, pdf: bool = False) -> PackPage:
    """The pack of the ICB `code` (one with a profile), complete."""
    shared = shared or Shared(ix)
    area = ix.area[code]
    name, slug = area["short_name"], area["slug"]
    latest = ix.latest.get(code, {})
    peers = ix.comp.peers.get(code, [])
    counts, findings = england_counts(ix, latest), []
    gaps = gap_rows(ix, code, latest)
    improving, worsening = travel_rows(ix, code, latest, 1), travel_rows(ix, code, latest, -1)
    for order, ind_id in enumerate(ix.indicator_order):
        if ind_id in latest:
            found = finding(ix, code, ind_id, latest[ind_id], shared, order, bool(peers))
            findings += [found] if found is not None else []
    better_side, worse_side = highlights(ix, latest)
    standing = peer_sentences(ix, code, peer_counts(ix, code, peers, shared), sum(1 for g in gaps if g.peers))
    standing += travel_sentences(name, improving, worsening)
    standing += target_sentence(name, target_counts(ix, code, latest, shared))
    successors = [Link(ix.short_names[c], pack_path(ix.slugs[c]))
                  for c in ix.successors.get(code, []) if c in ix.with_data]
    parts = dict(  # the pack's content, from which its list of the pages it draws on is made (`sources`)
        profile=Link(f"{name} profile", f"ics/{slug}/"),
        peers_page=Link(f"{name} and similar systems, side by side", f"ics/{slug}/peers/") if peers else None,
        better=better_side, worse=worse_side, peers=[ix.area_link(c) for c in peers], successors=successors,
        gaps=gaps, improving=improving, worsening=worsening, packages=packages(ix, latest))
    return PackPage(
        "pack.html", pack_path(slug), f"{name}: peer-challenge pack",
        f"{name} Integrated Care System against England and similar systems, for a board paper: the gaps, the "
        "systems doing better, the direction of travel and questions to ask.", indexed=False,
        area={"code": code, "name": area["name"], "short_name": name, "region": ix.region_name(code),
              "current": bool(area["current"]), "valid_to": long_date(area["valid_to"])},
        pdf=pack_pdf_path(slug) if pdf else "", verdict=verdict(name, counts), standing=standing,
        sure=how_sure(bool(peers)), picture=spine_picture(ix, code, name, latest),
        gaps_intro=gaps_intro(name, gaps, bool(peers)),
        travel_note=travel_note(ix, code, latest, len(improving) + len(worsening)),
        questions=questions(findings), methods=methods(ix, code, latest),
        sources=sources(ix, code, SimpleNamespace(**parts), shared), **parts)


def interval(row: dict | None) -> tuple[float, float] | None:
    """A row's 95% interval, or None without one."""
    if row is None or is_missing(row["value"]) or is_missing(row["lower_ci"]) or is_missing(row["upper_ci"]):
        return None
    return float(row["lower_ci"]), float(row["upper_ci"])


def peer_counts(ix: SiteIndex, code: str, peers: list[str], shared: Shared) -> dict:
    """Against its similar systems, indicator by indicator, in each indicator's latest period: on how many the
    95% intervals compare, at least one similar system is significantly better, and the board is significantly
    better than all of them, or than at least one."""
    out = {"compared": 0, "behind": 0, "ahead_all": 0, "ahead_any": 0}
    for ind_id in ix.indicator_order:
        polarity = ix.ind[ind_id]["polarity"]
        mine = interval(shared.now.get((ind_id, code)))
        if polarity not in JUDGED or mine is None:
            continue
        theirs = [i for i in (interval(shared.now.get((ind_id, p))) for p in peers) if i is not None]
        if not theirs:
            continue
        out["compared"] += 1
        out["behind"] += any(better(*other, *mine, polarity) for other in theirs)
        ahead = [better(*mine, *other, polarity) for other in theirs]
        out["ahead_all"] += all(ahead)
        out["ahead_any"] += any(ahead)
    return out


def target_counts(ix: SiteIndex, code: str, latest: dict, shared: Shared) -> tuple[int, int]:
    """(indicators with a target judged in their latest period, how many of them the board meets)."""
    rows = [shared.now.get((ind_id, code)) for ind_id in latest]
    judged = [r["compared_to_target"] for r in rows if r is not None and r["compared_to_target"] in ("Met", "Not met")]
    return len(judged), judged.count("Met")


def change(ix: SiteIndex, ind_id: str, code: str) -> Change | None:
    """The first and last values of a series' direction-of-travel window: the latest five yearly values, or the
    latest month or quarter and the same one a year before; only values since a boundary change count."""
    series = ix.recent.get(code, {}).get(ind_id)
    if series is None:
        return None
    own = [i for i, before in enumerate(series["before_break"]) if not before]
    if len(own) < 2:
        return None
    last = own[-1]
    if ix.trend_methods.get(ind_id, ("", ""))[0] == YEAR_ON:
        day = pd.Timedelta(days=1)
        then = series["period_end"][last] + day - pd.DateOffset(years=1) - day
        first = next((i for i in own if series["period_end"][i] == then), None)
        if first is None:
            return None
    else:
        first = own[-TREND_POINTS] if len(own) >= TREND_POINTS else own[0]
    return Change(series["period"][first], float(series["value"][first]), series["period"][last],
                  float(series["value"][last]))


def shown(ix: SiteIndex, ind: dict):
    """How the table of gaps writes an indicator's values: with a unit of one character ("74.1%"), or as numbers
    alone when the unit is longer (the indicator's cell names it once: `long_unit`)."""
    return (lambda v: ix.fmt(v, ind)) if not long_unit(ind) else (lambda v: ix.fmt_n(v, ind))


def long_unit(ind: dict) -> str:
    """An indicator's unit when it is more than a character ("per 100,000", "years"), else ""."""
    unit = "" if is_missing(ind["unit"]) else str(ind["unit"] or "")
    return unit if len(unit) > 1 else ""


def gap_rows(ix: SiteIndex, code: str, latest: dict) -> list[WorseRow]:
    """The indicators on which the board is significantly worse than England, in the site's order, each with the
    similar systems significantly better (their values), the most improved systems (how they moved) and what
    those systems did (their improvement stories)."""
    out = []
    for ind_id in ix.indicator_order:
        r = latest.get(ind_id)
        if r is None or r["compared_to_england"] != "Worse":
            continue
        ind = ix.ind[ind_id]
        show = shown(ix, ind)
        found = ix.comp.learning.get((code, ind_id), {"peers": [], "improvers": []})
        peers = [ix.area_link(c, show(ix.latest[c][ind_id]["value"])) for c in found["peers"]]
        improvers, span = improver_links(ix, ind_id, found["improvers"], show)
        stories = ix.work_links(found["peers"] + found["improvers"], ind_id)
        out.append(WorseRow(plain_link(ix, ind_id), r["period"], show(r["value"]), show(r["england_value"]),
                            peers, improvers, stories, bool(ind["illustrative"]), long_unit(ind), span))
    return out


def improver_links(ix: SiteIndex, ind_id: str, codes: list[str], show) -> tuple[list[Link], str]:
    """The most improved systems, each noting how it moved ("5.8% to 5.2%"), and the periods they all moved
    between ("Sep 2025 to Sep 2026"); when their periods differ, each note says its own."""
    moves = [change(ix, ind_id, c) for c in codes]
    spans = {(m.start_period, m.end_period) for m in moves if m is not None}
    common = len(spans) == 1 and None not in moves
    links = []
    for c, m in zip(codes, moves):
        if m is None:
            note = show(ix.latest[c][ind_id]["value"])
        else:
            note = f"{show(m.start)} to {show(m.end)}" if common else (
                f"{show(m.start)} in {m.start_period} to {show(m.end)} in {m.end_period}")
        links.append(ix.area_link(c, note))
    return links, " to ".join(spans.pop()) if common else ""


def travel_rows(ix: SiteIndex, code: str, latest: dict, direction: int) -> list[TravelRow]:
    """The indicators improving (direction 1) or getting worse (-1) significantly, with the values at the start and
    end of the window and England's in the same periods."""
    out = []
    for ind_id in ix.indicator_order:
        label, _, improving = ix.trend_entry(ind_id, code)
        if ind_id not in latest or improving != direction:
            continue
        ind, c = ix.ind[ind_id], change(ix, ind_id, code)
        series = ix.recent.get(code, {}).get(ind_id)
        if c is None or series is None:
            continue
        england = dict(zip(series["period"], series["england_value"]))
        method = ix.trend_methods.get(ind_id, ("", ""))[0]
        out.append(TravelRow(plain_link(ix, ind_id), label, TESTS.get(method, method),
                             f"{ix.fmt(c.start, ind)} ({c.start_period})", f"{ix.fmt(c.end, ind)} ({c.end_period})",
                             f"{ix.fmt(england.get(c.start_period), ind)} to {ix.fmt(england.get(c.end_period), ind)}",
                             bool(ind["illustrative"])))
    return out


def travel_note(ix: SiteIndex, code: str, latest: dict, moving: int) -> str:
    """What the direction of travel says of the other indicators."""
    tested = sum(1 for ind_id in latest if ix.trend_entry(ind_id, code)[0] in (
        "No significant change", "Similar to a year earlier"))
    untested = len(latest) - moving - tested
    return (f"Of {ix.short_names[code]}'s other {len(latest) - moving} indicators, {tested} show no significant change "
            f"and {untested} cannot be tested yet (too few values, periods of more than a year, counts, or no "
            "interval); the profile says why for each.")


def finding(ix: SiteIndex, code: str, ind_id: str, r: dict, shared: Shared, order: int,
            compared: bool) -> Finding | None:
    """What a question about one indicator is made from (None when its value is missing)."""
    ind = ix.ind[ind_id]
    if is_missing(r["value"]) or ind["polarity"] not in JUDGED:
        return None
    learned = ix.comp.learning.get((code, ind_id), {"peers": []})
    peers = []
    for c in learned["peers"]:
        improved = change(ix, ind_id, c) if ix.trend_entry(ind_id, c)[2] > 0 else None
        peers.append(Peer(ix.short_names[c], float(ix.latest[c][ind_id]["value"]), improved))
    worsening = change(ix, ind_id, code) if ix.trend_entry(ind_id, code)[2] < 0 else None
    now = shared.now.get((ind_id, code))
    missed = now is not None and now["compared_to_target"] == "Not met" and not is_missing(ind["target"])
    return Finding(
        str(ind["short_title"]), ix.short_names[code], r["period"], float(r["value"]), str(ind["unit"] or ""),
        int(ind["decimals"]), None if is_missing(r["england_value"]) else float(r["england_value"]),
        worse=r["compared_to_england"] == "Worse", peers_compared=compared, better_peers=tuple(peers),
        high_is_good=ind["polarity"] == "high_is_good", worsening=worsening,
        target=None if is_missing(ind["target"]) else float(ind["target"]), target_missed=missed,
        illustrative=bool(ind["illustrative"]), order=order)


def packages(ix: SiteIndex, latest: dict) -> list[dict]:
    """The data sets the pack draws on: those of its indicators, and the registry of areas (a package with no
    indicators). Each: title, version, released, licence (a Link), href (its data set page), illustrative."""
    used = {ix.ind[ind_id]["package"] for ind_id in latest}
    with_indicators = set(ix.indicators["package"])
    out = []
    for p in ix.data.packages:
        if p.name not in used and p.name in with_indicators:
            continue
        licence = p.licenses[0] if p.licenses else {}
        out.append({"title": p.title, "version": p.version, "released": released(p.created),
                    "licence": Link(str(licence.get("title") or licence.get("name") or "not stated"),
                                    str(licence.get("path") or "")),
                    "href": f"data/{p.name}/", "illustrative": bool(p.illustrative)})
    return out


def released(created: str) -> str:
    """A package's `created` stamp as a date ("2 December 2026"), or as written when it is not one."""
    try:
        return long_date(pd.Timestamp(created))
    except (ValueError, TypeError):
        return str(created or "")


def sources(ix: SiteIndex, code: str, page: SimpleNamespace, shared: Shared) -> list[tuple[str, list[Link]]]:
    """"Pages this pack draws on": the board's own, every indicator, system and story it mentions (in `page`, the
    pack's parts), and how the figures are made."""
    own = [page.profile] + ([page.peers_page] if page.peers_page else [])
    own += [Link(f"{link.text}: peer-challenge pack", link.href) for link in page.successors]
    rows = page.gaps + page.improving + page.worsening
    indicators = {link.href: Link(link.text, link.href) for link in
                  [r.indicator for r in rows] + page.better + page.worse}
    systems = {link.href: Link(link.text, link.href) for link in
               page.peers + [s for g in page.gaps for s in g.peers + g.improvers] if link.href}
    stories = {link.href: Link(link.text, link.href) for g in page.gaps for link in g.stories}
    how = [Link("How we compare: methodology", "methodology/")] if "methodology" in shared.content else []
    how += [Link("The data, with every release and its licence", "data/")]
    how += [Link(p["title"], p["href"]) for p in page.packages]
    how += [Link("What the words mean: glossary", ix.glossary.href)] if ix.glossary else []
    groups = [(f"{ix.short_names[code]}", own), ("Indicators", sorted(indicators.values(), key=lambda l: l.text)),
              ("Systems", sorted(systems.values(), key=lambda l: l.text)),
              ("Improvement stories", sorted(stories.values(), key=lambda l: l.text)),
              ("How the figures are made", how)]
    return [(title, links) for title, links in groups if links]
