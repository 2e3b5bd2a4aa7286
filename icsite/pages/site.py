"""The site's own pages: home, the ICS and indicator indexes, search, markdown content, 404, and `site_info`."""

from __future__ import annotations

from datetime import date

from icsite.core.display import Link, Table
from icsite.core.formatting import is_missing, long_date
from icsite.core.markup import render_markdown
from icsite.inputs.model import DOMAINS, SiteData
from icsite.pages.contexts import (ContentPage, HomePage, IcsIndexPage, IndicatorIndexPage, NotFoundPage, SearchPage,
                                   SiteInfo)
from icsite.pages.index import SiteIndex
from icsite.pages.text import polarity_text

DESCRIPTION = ("How England's Integrated Care Systems compare on one common set of indicators of population health "
               "and care, with honest uncertainty and peers to learn from.")


def home_page(ix: SiteIndex) -> HomePage:
    areas = ix.areas
    current = areas[(areas["type"] == "icb") & areas["current"]]
    regions = []
    for region_code, group in current.groupby("parent_code", sort=False):
        regions.append((ix.short_names[region_code], [ix.area_link(c) for c in group.sort_values("short_name").index]))
    regions.sort()
    releases = [{"title": p.title, "version": p.version, "created": p.created, "href": f"data/{p.name}/"}
                for p in ix.data.packages]
    counts = {"icbs_current": len(current), "indicators": len(ix.indicators), "profiles": len(ix.with_data),
              "values": ix.value_count}
    return HomePage("home.html", "", "Home", DESCRIPTION, regions=regions, domains=domain_links(ix),
                    releases=releases, counts=counts)


def domain_links(ix: SiteIndex) -> list[tuple[str, list[Link]]]:
    return [(DOMAINS.get(domain, domain), [ix.indicator_link(i) for i in ids]) for domain, ids in ix.domain_ids.items()]


def ics_index_page(ix: SiteIndex) -> IcsIndexPage:
    areas = ix.areas
    icbs = areas[areas["type"] == "icb"].copy()
    icbs["region"] = icbs["parent_code"].map(areas["short_name"])
    out = []
    for region, group in sorted(icbs.groupby("region"), key=lambda kv: kv[0]):
        group = group.sort_values(["current", "short_name"], ascending=[False, True])
        rows = []
        for code, row in zip(group.index, group.to_dict("records")):
            status = "Current" if row["current"] else f"Closed {long_date(row['valid_to'])}"
            rows.append([ix.area_link(code), code, row["ods_code"] if not is_missing(row["ods_code"]) else "",
                         long_date(row["valid_from"]), status])
        out.append((region, Table(f"Integrated care boards in {region}",
                                  ["Integrated care board", "ONS code", "ODS code", "Established", "Status"], rows,
                                  stack=True)))
    return IcsIndexPage("ics_index.html", "ics/", "Integrated Care Systems",
                        "Every Integrated Care System in England, by NHS England region.", regions=out)


def indicator_index_page(ix: SiteIndex) -> IndicatorIndexPage:
    latest = ix.comp.latest_period
    out = []
    for domain, ids in ix.domain_ids.items():
        rows = []
        for ind_id in ids:
            ind = ix.ind[ind_id]
            period = latest.at[ind_id, "period"] if ind_id in latest.index else "–"
            rows.append([ix.indicator_link(ind_id), period, ix.fmt(ix.england_now.get(ind_id), ind),
                         polarity_text(ind["polarity"])])
        title = DOMAINS.get(domain, domain)
        out.append((title, Table(f"Indicators on {title.lower()}", ["Indicator", "Latest period", "England", "Polarity"],
                                 rows, [False, False, True, False], stack=True)))
    return IndicatorIndexPage("indicator_index.html", "indicators/", "Indicators",
                              "Every indicator in the common set, by theme.", domains=out)


def search_page(ix: SiteIndex, places=None) -> SearchPage:
    """search/: the results of ?q= with JavaScript (places from `places`, a `pages.places.PlaceFinder`, and pages
    from Pagefind); without, the lists every query leads into: places by first letters, postcode areas, councils,
    every ICS and every indicator."""
    systems = []
    for code in sorted(ix.with_data, key=lambda c: (not ix.area[c]["current"], ix.short_names[c], c)):
        a = ix.area[code]
        systems.append({"link": ix.area_link(code), "region": ix.region_name(code), "current": bool(a["current"]),
                        "places": ix.place_names(code),
                        "closed": "" if a["current"] else f"closed {long_date(a['valid_to'])}"})
    indicators = [{"link": ix.indicator_link(i), "domain": ix.ind[i]["domain_title"],
                   "keywords": ix.ind[i]["keywords"].replace(";", ",")} for i in ix.indicators.index]
    found = {}
    if places is not None:
        groups, areas = places.groups()
        found = dict(place_groups=groups, postcode_areas=areas, councils=Link("Councils A to Z", "places/councils/"),
                     place_index="places/find/", place_attribution=places.lookup.attribution)
    return SearchPage("search.html", "search/", "Search",
                      "Find your Integrated Care System from a town, village, postcode or council, or search for "
                      "an ICS or an indicator.", systems=systems, indicators=indicators, scripts=["assets/search.js"],
                      **found)


def content_page(src) -> ContentPage:
    """A markdown page of content/."""
    title = src.meta.get("title") or src.slug.replace("-", " ").capitalize()
    path = f"{src.slug}/" if src.slug else ""
    return ContentPage("content.html", path, str(title),  # validation allows no other template
                       str(src.meta.get("description", "")), body_html=render_markdown(src.body))


def not_found_page() -> NotFoundPage:
    """404.html."""
    return NotFoundPage("not_found.html", "404.html", "Page not found", "There is no page at this address.")


def site_info(config, data: SiteData, build_date: date) -> SiteInfo:
    """The shared context of every page."""
    nav = [Link("Home", ""), Link("Find your ICS", "ics/"), Link("Indicators", "indicators/"),
           Link("Compare", "compare/")]
    nav += [Link("Stories", "stories/")] if data.stories else []  # improvement stories, when there are any
    nav.append(Link("Data", "data/"))
    nav += [Link(str(p.meta.get("nav_title") or p.meta.get("title") or p.slug), f"{p.slug}/")
            for p in sorted(data.pages, key=lambda p: p.meta.get("nav_order", 99)) if p.meta.get("nav")]
    footer = [Link(str(p.meta.get("footer_title") or p.meta.get("title") or p.slug), f"{p.slug}/")
              for p in sorted(data.pages, key=lambda p: (p.meta.get("footer_order", 99), p.slug))
              if p.meta.get("footer") and not p.error]
    return SiteInfo(title=config.title, description=config.description, base_path=config.base_path, footer=footer,
                    build_date=long_date(build_date), repository_url=config.repository_url, nav=nav,
                    illustrative=bool(data.indicators["illustrative"].any()) if len(data.indicators) else False,
                    indicators=len(data.indicators),
                    official=int((~data.indicators["illustrative"].astype(bool)).sum()) if len(data.indicators) else 0,
                    canonical_root=config.canonical_root)
