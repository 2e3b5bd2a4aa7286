"""Side-by-side comparisons: every indicator for a group of ICSs at once.

Built at build time for each NHS England region (its current boards, and the region itself) and for each ICS with
its peers; the compare page lets a reader choose any ICSs in the browser, from the static JSON API (and lists these
pages for readers without JavaScript).
"""

from __future__ import annotations

from icsite.core.display import Link, Table
from icsite.core.formatting import is_missing
from icsite.core.standard import ENGLAND
from icsite.inputs.model import DOMAINS
from icsite.pages.contexts import ComparePage, Page, SideBySidePage
from icsite.pages.index import SiteIndex


def cell(row: dict | None, ind: dict, with_comparison: bool) -> str:
    if row is None or is_missing(row.get("value")):
        return "–" if row is None else "Suppressed"
    text = f"{float(row['value']):,.{int(ind['decimals'])}f}"
    comparison = row.get("compared_to_england")
    if with_comparison and ind["polarity"] != "no_judgement" and comparison not in (None, "", "Not compared"):
        text += f" ({comparison})"
    return text


def side_by_side(ix: SiteIndex, codes: list[str], extra: list[str]) -> list[tuple[str, Table]]:
    """Tables by theme: the indicator (a link, its unit and period in the link's note), England, then one column per
    area in `codes` (ICSs, with comparisons) and per area in `extra` (a region: values only). Each area's latest
    period of each indicator. England comes second so that it stays in view beside the indicator (the theme keeps
    the first two columns still while the others scroll)."""
    areas = [ENGLAND] + codes + extra
    names = [ix.short_names[c] for c in areas]
    latest = [ix.latest.get(c, {}) for c in areas]
    out = []
    for domain, ids in ix.domain_ids.items():
        table_rows = []
        for ind_id in ids:
            ind = ix.ind[ind_id]
            mine = [rows.get(ind_id) for rows in latest]
            if all(r is None for r in mine):
                continue
            periods = ", ".join(sorted({r["period"] for r in mine if r is not None}))
            link = ix.indicator_link(ind_id)
            link.note = " · ".join(part for part in (ind["unit"], periods) if part)
            table_rows.append([link] + [cell(r, ind, c in codes) for r, c in zip(mine, areas)])
        if table_rows:
            title = DOMAINS.get(domain, domain)
            out.append((title, Table(f"{title}: latest values side by side", ["Indicator, unit and period"] + names,
                                     table_rows, [False] + [True] * len(names))))
    return out


def compare_pages(ix: SiteIndex) -> list[Page]:
    """A page per region, a page per ICS with its peers, and the compare page."""
    areas = ix.areas
    current = [c for c in sorted(ix.with_data, key=lambda c: ix.short_names[c]) if ix.area[c]["current"]]
    pages: list[Page] = []
    regions = []
    for code in sorted(areas.index[areas["type"] == "region"], key=lambda c: ix.short_names[c]):
        members = [c for c in current if ix.area[c]["parent_code"] == code]
        if not members:
            continue
        name = ix.short_names[code]
        path = f"regions/{ix.slugs[code]}/"
        regions.append(Link(name, path))
        pages.append(SideBySidePage(
            "side_by_side.html", path, f"{name}: its Integrated Care Systems side by side",
            f"Every indicator for the {len(members)} Integrated Care Systems of NHS England's {name} region.",
            eyebrow="NHS England region",
            intro=[f"The {len(members)} current Integrated Care Systems of the {name} region, the region as a whole "
                   "and England, on every indicator: each area's latest period. In brackets, how each ICS compares "
                   "with England (at 95%): Better, Similar or Worse where higher or lower is better."],
            members=[ix.area_link(c) for c in members],
            tables=side_by_side(ix, members, [code])))
    peer_pages = []
    for code in sorted(ix.with_data, key=lambda c: ix.short_names[c]):
        peers = ix.comp.peers.get(code, [])
        if not peers:
            continue
        name = ix.short_names[code]
        path = f"ics/{ix.slugs[code]}/peers/"
        peer_pages.append(Link(name, path))
        pages.append(SideBySidePage(
            "side_by_side.html", path, f"{name} and similar systems",
            f"{name} side by side with the {len(peers)} most similar Integrated Care Systems on every indicator.",
            eyebrow="Integrated Care System · similar systems",
            intro=[f"{name} and the {len(peers)} Integrated Care Systems most like it in size and deprivation (see "
                   "the methodology), on every indicator: each area's latest period. In brackets, how each ICS "
                   "compares with England (at 95%)."],
            members=[ix.area_link(c) for c in [code] + peers],
            tables=side_by_side(ix, [code] + peers, [])))
    systems = [{"code": c, "name": ix.short_names[c]} for c in current]
    pages.append(ComparePage(
        "compare.html", "compare/", "Compare Integrated Care Systems",
        "Put any Integrated Care Systems side by side on every indicator.", systems=systems, regions=regions,
        peer_pages=peer_pages, england={"code": ENGLAND, "name": ix.short_names[ENGLAND]},
        scripts=["assets/compare.js"]))
    return pages
