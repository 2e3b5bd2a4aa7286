"""An ICS's profile page: its latest value on every indicator, how it compares, its charts, peers and lineage."""

from __future__ import annotations

import pandas as pd

from icsite.charts import spine_funnel as charts_more
from icsite.compute.summaries import area_sentences, row_sentence
from icsite.core.display import Link, Table
from icsite.core.formatting import is_missing, long_date, number
from icsite.core.standard import ranking_polarity
from icsite.inputs.model import DOMAINS
from icsite.pages.contexts import IndicatorRow, ProfilePage
from icsite.pages.figures import Figure, figure, place, preview
from icsite.pages.index import SiteIndex
from icsite.pages.pack import pack_path, pack_pdf_path
from icsite.pages.profile_summary import (england_counts, highlights, not_yet, peers_note, plain_link,
                                          population_note, verdict)
from icsite.pages.text import join_names, rank_text
from icsite.pages.trends import trend_figures


def profile_page(ix: SiteIndex, code: str) -> ProfilePage:
    """The profile of the ICS `code` (one with values), complete: charts with their files, feed and preview."""
    area = ix.area[code]
    latest = ix.latest.get(code, {})
    name, path = area["short_name"], f"ics/{area['slug']}/"
    domains, counts = indicator_rows(ix, code, latest)
    spine, *trends = place(path, [spine_figure(ix, name, latest)] + trend_figures(ix, code, name), ix.images)
    better, worse = highlights(ix, latest)
    missing = not_yet(ix, code, latest)
    learn = learn_from(ix, code, latest)
    return ProfilePage(
        "profile.html", path, name,
        f"How {name} Integrated Care System compares with England on {len(latest)} indicators.",
        has_charts=True, image=preview(path, [spine] + trends), feed=f"{path}feed.xml",
        area=area_dict(ix, code), population=population(latest), status_note=status_note(area),
        successors=[ix.succession_link(code, c, c) for c in ix.successors.get(code, [])],
        predecessors=[ix.succession_link(c, code, c) for c in ix.predecessors.get(code, [])],
        lineage_notes=lineage_notes(ix, code), summary=area_sentences(name, counts)[1:], domains=domains,
        charts=trends, spine=spine, downloads=ix.downloads.get(f"ics/{code}", []),
        peers=[ix.area_link(c) for c in ix.comp.peers.get(code, [])], learn=learn,
        stories=[ix.story_link(s, f"{s.period_from} to {s.period_to}: {s.summary}")
                 for s in ix.board_stories.get(code, [])],
        places=ix.place_names(code), places_note=places_note(ix, code),
        verdict=verdict(name, counts), better=better, worse=worse, not_yet=missing,
        glossary=ix.glossary.href if ix.glossary else "",
        population_note=population_note(ix, code, latest), peers_note=peers_note(ix, code, latest),
        pack=pack_path(area["slug"]) if ix.packs else "", pack_pdf=pack_pdf_path(area["slug"]) if ix.pdf else "",
        contents=contents(domains, spine=spine is not None, missing=bool(missing), trends=bool(trends),
                          stories=bool(ix.board_stories.get(code)),
                          downloads=bool(ix.downloads.get(f"ics/{code}"))))


def contents(domains: list, *, spine: bool, missing: bool, trends: bool, downloads: bool, stories: bool = False
             ) -> list[Link]:
    """The profile's sections, in order, as links to their headings (the template gives them these ids)."""
    out = [Link("Figures not yet published", "#not-yet")] if missing else []
    out += [Link("All indicators at a glance", "#overview")] if spine else []
    out += [Link(title, f"#theme-{n}") for n, (title, _) in enumerate(domains, start=1)]
    out.append(Link("Similar systems to learn from", "#peers"))
    out += [Link("Improvement stories", "#stories")] if stories else []
    out += [Link("Trends", "#trends")] if trends else []
    out += [Link("Download the data", "#downloads")] if downloads else []
    out.append(Link("About this board", "#about"))
    return out


def indicator_rows(ix: SiteIndex, code: str, latest: dict) -> tuple[list[tuple[str, list[IndicatorRow]]], dict]:
    """The rows of the profile's tables by theme, and the counts its summary sentences are made from."""
    domains, counts = [], {**england_counts(ix, latest), "better_trend": 0, "worse_trend": 0}
    for domain, ids in ix.domain_ids.items():
        items = []
        for ind_id in ids:
            if ind_id not in latest:
                continue
            ind, r = ix.ind[ind_id], latest[ind_id]
            trend, trend_note, improving = ix.trend_entry(ind_id, code)
            comparison = r["compared_to_england"]
            counts["better_trend"] += improving > 0
            counts["worse_trend"] += improving < 0
            items.append(IndicatorRow(
                link=plain_link(ix, ind_id), period=r["period"],
                value=ix.fmt(r["value"], ind) if r["status"] != "suppressed" else "Suppressed",
                england=ix.fmt(r["england_value"], ind), comparison=comparison,
                rank=rank_text(r), trend=trend, trend_note=trend_note, illustrative=bool(ind["illustrative"]),
                summary=row_sentence(comparison, trend, r["status"], bool(r["small_number"])),
                technical=ind["title"] if ind["title"] != ind["short_title"] else "",
                glossary=ix.glossary.links(ind["title"]) if ix.glossary else []))
        if items:
            domains.append((DOMAINS.get(domain, domain), items))
    return domains, counts


def area_dict(ix: SiteIndex, code: str) -> dict:
    a = ix.area[code]
    return {"code": code, "ods_code": "" if is_missing(a["ods_code"]) else a["ods_code"], "name": a["name"],
            "short_name": a["short_name"], "region": ix.region_name(code), "valid_from": long_date(a["valid_from"]),
            "valid_to": long_date(a["valid_to"]), "current": bool(a["current"])}


def population(latest: dict) -> str:
    """The latest registered population, if the data has it."""
    last = latest.get("registered_population")
    if last is None:
        return ""
    return f"{number(last['value'], 0)} people registered with a GP ({last['period']})"


def status_note(area: dict) -> str:
    if area["current"]:
        return f"Established {long_date(area['valid_from'])}; current."
    return f"This board closed on {long_date(area['valid_to'])}."


def places_note(ix: SiteIndex, code: str) -> str:
    """The source of a board's list of places."""
    vintages = ix.place_vintages.get(code)
    if not vintages:
        return ""
    newest = max(vintages)
    if newest.startswith("2026"):
        return ("Local authority districts from the ONS April 2024 lookup, relabelled with the April 2026 boards: "
                "approximate until ONS publishes the 2026 lookup.")
    month = "July 2022" if newest == "2022" else "April 2024"
    return f"Local authority districts from the ONS {month} lookup of districts to boards."


def lineage_notes(ix: SiteIndex, code: str) -> list[str]:
    """What the trend charts do with each kind of predecessor's values."""
    mine = ix.into.get(code, [])
    groups: dict[str, list[dict]] = {}  # kind -> its successions, kinds in order of first appearance
    for row in mine:
        groups.setdefault(row["kind"], []).append(row)
    notes = []
    for kind, group in groups.items():
        when = long_date(pd.Timestamp(group[0]["date"]))
        if kind == "code_change":
            codes = join_names(sorted(r["predecessor_code"] for r in group))
            notes.append(f"Values published under the earlier ONS code {codes} are the same board and area: they "
                         "are joined to this board's series.")
        elif kind == "boundary_change":
            names = join_names(sorted({ix.short_names.get(r["predecessor_code"], r["predecessor_code"])
                                       for r in group}))
            notes.append(f"Values from before {when} cover {names}'s previous boundary: trend charts show them as "
                         "a separate line, with a break at the change, and the direction of travel uses only "
                         "values since the change.")
    others = sorted(ix.short_names.get(r["predecessor_code"], r["predecessor_code"]) for r in mine
                    if r["kind"] in ("merger", "split"))
    if others:
        notes.append(f"Values of {join_names(others)} are not joined to this board's series: a merger or a split "
                     "makes a different area.")
    return notes


def learn_from(ix: SiteIndex, code: str, latest: dict) -> list[dict]:
    """For each indicator where this ICS is worse than England: better peers and the most improved ICSs."""
    out = []
    for ind_id in ix.indicator_order:
        found = ix.comp.learning.get((code, ind_id))
        if not found or ind_id not in latest:
            continue
        out.append({"indicator": plain_link(ix, ind_id), "period": latest[ind_id]["period"],
                    "peers": [ix.area_link(c, england_words(ix.latest.get(c, {}).get(ind_id, {})))
                              for c in found["peers"]],
                    "improvers": [ix.area_link(c) for c in found["improvers"]],
                    "stories": ix.work_links(found["peers"] + found["improvers"], ind_id)})
    return out


def england_words(row: dict) -> str:
    """How a value compares with England, in words for a note: "itself worse than England"."""
    comparison = str(row.get("compared_to_england", "") or "")
    words = {"Better": "better than England", "Worse": "itself worse than England",
             "Similar": "similar to England", "Higher": "higher than England", "Lower": "lower than England"}
    return words.get(comparison, "not compared with England")


def spine_figure(ix: SiteIndex, name: str, latest: dict) -> Figure | None:
    """Spine chart: each indicator, this ICS's latest value against the range of ICSs and England."""
    rows, table_rows = [], []
    for ind_id in ix.indicator_order:
        r = latest.get(ind_id)
        if not ix.on_spine(ind_id, r):
            continue
        ind, q = ix.ind[ind_id], ix.spread[(ind_id, r["period"])]
        rows.append({"title": ind["short_title"], "polarity": ranking_polarity(ind["polarity"], ind["value_type"]),
                     "value": float(r["value"]),
                     "england": None if is_missing(r["england_value"]) else float(r["england_value"]),
                     "min": q[0], "q25": q[1], "q75": q[2], "max": q[3], "comparison": r["compared_to_england"],
                     "value_text": ix.fmt(r["value"], ind), "england_text": ix.fmt(r["england_value"], ind)})
        table_rows.append([ind["title"], r["period"], ix.fmt(r["value"], ind), ix.fmt(r["england_value"], ind),
                           ix.fmt(q[0], ind), ix.fmt(q[3], ind), r["compared_to_england"]])
    if not rows:
        return None
    spec = charts_more.spine_chart(rows, title=f"{name} on every indicator, latest period", area_label=name)
    return figure("spine", spec, f"{name} compared with all ICSs and England",
                  f"Spine chart of {len(rows)} indicators: for each, a bar spans the ICSs from worst to best (the "
                  "darker middle part holds the middle half), a line marks England and a point marks "
                  f"{name}, shaped and shaded by how it compares with England. The table gives each value.",
                  Table(f"{name}: latest values against the range of ICSs",
                        ["Indicator", "Period", name, "England", "Lowest ICS", "Highest ICS", "Compared with England"],
                        table_rows, [False, False, True, True, True, True, False]))
