"""Page contexts: one documented dataclass per page type, built from the model and the computed comparisons.

Templates receive `site` (a `SiteInfo`) and `page` (one of the `*Page` classes below). Jinja runs with
StrictUndefined, so a template that names a field not documented here fails the tests instead of rendering blank.
"""

from __future__ import annotations

import json
from collections import Counter
import dataclasses
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from icsite.charts import specs as charts
from icsite.charts import spine_funnel as charts_more
from icsite.charts.specs import PEERS_LABEL
from icsite.compute.comparisons import Comparisons
from icsite.compute.lineage import area_changes, continuous_codes
from icsite.core.formatting import is_missing, long_date, number, ordinal, with_unit
from icsite.core.markup import render_markdown
from icsite.compute.summaries import area_sentences, indicator_sentence, row_sentence
from icsite.compute.tilemap import tile_chart_rows, tile_layout
from icsite.core.display import Link, Table
from icsite.inputs.model import DOMAINS, ENGLAND, SiteData

JUDGED = {"Better", "Worse"}
TREND_WINDOW = 13  # points shown on small-multiple trend charts


# --- Shared pieces ------------------------------------------------------------------------------------------------

@dataclass
class Chart:
    """An embedded Vega-Lite chart with its text description and its data as a table."""

    id: str
    spec_json: str  # JSON, safe inside <script type="application/json">
    caption: str
    description: str
    table: Table
    image: str = ""  # file name of the pre-rendered SVG beside the page (set by the pipeline)
    data: str = ""  # file name of the chart's data as CSV beside the page (set by the pipeline)
    png: str = ""  # file name of the PNG image beside the page (set by the pipeline)
    spec: str = ""  # file name of the Vega-Lite spec (JSON) beside the page (set by the pipeline)
    embed: str = ""  # the chart's embed page, relative to the site root (set by the pipeline)


@dataclass
class SiteInfo:
    """What every page knows about the site."""

    title: str
    description: str
    base_path: str
    build_date: str
    repository_url: str
    nav: list[Link]
    illustrative: bool  # the site shows generated demo values somewhere
    canonical_root: str = ""  # the absolute site address when --base-url gave one, for <link rel="canonical">
    footer: list[Link] = field(default_factory=list)  # content pages with `footer: true`, in footer_order


@dataclass
class Page:
    """Fields every page has."""

    template: str
    path: str  # output folder relative to the site root: "" for home, "ics/devon/"
    title: str
    description: str
    has_charts: bool = False
    image: str = ""  # a picture for link previews (Open Graph), relative to the site root: a chart's PNG
    json_ld: str = ""  # schema.org metadata as JSON, safe inside <script type="application/ld+json">
    feed: str = ""  # an Atom feed about this page's subject, relative to the site root
    indexed: bool = True  # in the site's search index (data-pagefind-body on <main>)
    scripts: list[str] = field(default_factory=list)  # page-specific module scripts, relative to the site root


# --- Page types ---------------------------------------------------------------------------------------------------

@dataclass
class HomePage(Page):
    regions: list[tuple[str, list[Link]]] = field(default_factory=list)
    domains: list[tuple[str, list[Link]]] = field(default_factory=list)
    releases: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


@dataclass
class IcsIndexPage(Page):
    regions: list[tuple[str, Table]] = field(default_factory=list)


@dataclass
class IndicatorRow:
    """One indicator's latest position for one ICS, ready to show."""

    link: Link
    period: str
    value: str
    england: str
    comparison: str
    rank: str
    trend: str
    illustrative: bool
    summary: str = ""  # the plain-English sentence for this ICS and indicator


@dataclass
class ProfilePage(Page):
    area: dict = field(default_factory=dict)  # code, ods_code, name, short_name, region, valid_from, valid_to, current
    population: str = ""
    status_note: str = ""
    successors: list[Link] = field(default_factory=list)
    predecessors: list[Link] = field(default_factory=list)
    lineage_notes: list[str] = field(default_factory=list)  # how predecessors' values are (or are not) shown here
    summary: list[str] = field(default_factory=list)
    domains: list[tuple[str, list[IndicatorRow]]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    downloads: list[Link] = field(default_factory=list)
    spine: Chart | None = None  # every indicator: this ICS against the range of ICSs and England
    peers: list[Link] = field(default_factory=list)  # the most similar ICSs, nearest first
    places: list[str] = field(default_factory=list)  # local authority districts covered ("Leeds", "X (part)")
    places_note: str = ""  # where the list comes from (and that the 2026 map is approximate)
    learn: list[dict] = field(default_factory=list)  # {indicator: Link, peers: [Link], improvers: [Link]}


@dataclass
class IndicatorIndexPage(Page):
    domains: list[tuple[str, Table]] = field(default_factory=list)


@dataclass
class IndicatorPage(Page):
    indicator: dict = field(default_factory=dict)
    polarity_text: str = ""
    latest_period: str = ""
    england: str = ""
    target: str = ""
    summary: list[str] = field(default_factory=list)
    ranked: Chart | None = None
    over_time: Chart | None = None
    funnel: Chart | None = None  # value against denominator with control limits (indicators with denominators)
    tiles: Chart | None = None  # tile map of ICSs coloured by comparison
    downloads: list[Link] = field(default_factory=list)
    most_improved: list[Link] = field(default_factory=list)  # ICSs improving most significantly, strongest first
    target_summary: str = ""  # how many ICSs meet the target in the latest period


@dataclass
class DataIndexPage(Page):
    packages: list[dict] = field(default_factory=list)  # name, title, description, href, version, released, ...
    everything: list[Link] = field(default_factory=list)  # the whole site's data: comparisons.csv and a zip


@dataclass
class PackagePage(Page):
    """One data set: what it is, its licence and citation, its releases and the latest downloads."""

    package: dict = field(default_factory=dict)  # name, title, description, licence, sources, illustrative
    citation: str = ""
    releases: list[dict] = field(default_factory=list)  # newest first: version, released, href, summary, current
    downloads: list[Link] = field(default_factory=list)  # the latest release's files


@dataclass
class ReleasePage(Page):
    """One release of one data set: its files with checksums, and what changed from the release before."""

    package: dict = field(default_factory=dict)
    version: str = ""
    released: str = ""
    current: bool = False
    latest_alias: bool = False  # this is data/<package>/latest/, a copy of the current release's folder
    previous: Link | None = None
    citation: str = ""
    downloads: list[Link] = field(default_factory=list)
    checksums: Table | None = None  # file and SHA-256, from SHA256SUMS (filled by the pipeline)
    summary: list[str] = field(default_factory=list)  # sentences
    changes: list[Table] = field(default_factory=list)  # new periods, revised values, changed comparisons
    more: str = ""  # a note when a table shows only the first rows of a long list
    indexed: bool = False  # the data set's page is indexed; each release would only repeat it


@dataclass
class NotFoundPage(Page):
    """404.html: served by GitHub Pages at whatever address was asked for, so its links start from the site root."""

    absolute_links: bool = True
    indexed: bool = False


@dataclass
class SearchPage(Page):
    """search/: with JavaScript, the results for ?q= from the static index; without, every ICS (with the places it
    covers) and every indicator (with its other names) as plain lists of links."""

    systems: list[dict] = field(default_factory=list)  # link, region, places, current
    indicators: list[dict] = field(default_factory=list)  # link, domain, keywords
    indexed: bool = False

@dataclass
class EmbedPage(Page):
    """One chart alone, for an iframe: the chart, its title, source and licence, and the page it came from."""

    indexed: bool = False
    chart: Chart | None = None
    from_page: Link | None = None
    source: str = ""
    licence: str = ""
    illustrative: bool = False


@dataclass
class ContentPage(Page):
    body_html: str = ""


# --- Building the pages -------------------------------------------------------------------------------------------

class PageBuilder:
    """Builds every page context from the model and the comparisons."""

    def __init__(self, data: SiteData, comp: Comparisons, downloads: dict[str, list[Link]]):
        self.data, self.comp, self.downloads = data, comp, downloads
        self.areas = data.areas
        self.indicators = data.indicators
        self.values = comp.values
        self.with_data = set(self.values.loc[self.values["area_type"] == "icb", "area_code"])
        self.by_area = dict(tuple(self.values.groupby("area_code", sort=False)))
        self.by_indicator = dict(tuple(self.values.groupby("indicator_id", sort=False)))
        self.short_names = self.areas["short_name"].to_dict()
        self.slugs = self.areas["slug"].to_dict()
        self.ind = self.indicators.to_dict("index")
        self.layouts: dict = {}  # tile-map layouts by date
        icb_values = self.values[(self.values["area_type"] == "icb") & self.values["value"].notna()]
        quartiles = icb_values.groupby(["indicator_id", "period"])["value"].quantile([0, 0.25, 0.75, 1]).unstack()
        self.spread = {key: list(row) for key, row in zip(quartiles.index, quartiles.to_numpy())}  # min, q25, q75, max
        self.domain_ids = {d: list(g.index) for d, g in self.indicators.groupby("domain", sort=False)}
        # trend charts show each area's lineage: its own values, joined across ONS code changes, with values from
        # before a boundary change as an earlier segment (see lineage.lineage)
        series = comp.series if comp.series is not None else self.values.assign(
            series_code=self.values["area_code"], segment="", segment_end=pd.NaT, break_note="")
        recent = series[series["value"].notna()].sort_values(["series_code", "indicator_id", "period_end"],
                                                             kind="stable")
        recent = recent.groupby(["series_code", "indicator_id"], sort=False).tail(TREND_WINDOW)
        self.recent = recent_series(recent)
        self.line_codes = continuous_codes(data.successions)
        self.trend_texts = comp.trends["trend"].to_dict()
        self.changes = area_changes(self.areas, data.successions).to_dict("records")

    def all_pages(self) -> list[Page]:
        """Every page of the site, in a stable order."""
        pages: list[Page] = [self.home(), self.ics_index(), self.indicator_index()]
        pages += [self.profile(code) for code in sorted(self.with_data)]
        pages += [self.indicator(ind) for ind in self.indicators.index]
        pages += [self.content(p) for p in self.data.pages]
        pages.append(self.search())
        return pages

    def search(self) -> SearchPage:
        systems = []
        for code in sorted(self.with_data, key=lambda c: (not self.areas.at[c, "current"], self.short_names[c], c)):
            a = self.areas.loc[code]
            region = self.areas.at[a["parent_code"], "short_name"] if not is_missing(a["parent_code"]) else ""
            systems.append({"link": self.area_link(code), "region": region, "current": bool(a["current"]),
                            "places": [f"{n} (part)" if part else n for n, part in self.data.places_of(code)],
                            "closed": "" if a["current"] else f"closed {long_date(a['valid_to'])}"})
        indicators = [{"link": self.indicator_link(i), "domain": self.ind[i]["domain_title"],
                       "keywords": self.ind[i]["keywords"].replace(";", ",")} for i in self.indicators.index]
        return SearchPage("search.html", "search/", "Search",
                          "Find an Integrated Care System by its name or a place it covers, or an indicator.",
                          systems=systems, indicators=indicators, scripts=["assets/search.js"])

    # links
    def area_link(self, code: str, note: str = "") -> Link:
        """A link to an area's profile (or just its name when it has no profile)."""
        href = f"ics/{self.slugs[code]}/" if code in self.with_data else ""
        return Link(self.short_names[code], href, note)

    def indicator_link(self, ind_id: str) -> Link:
        return Link(self.indicators.at[ind_id, "title"], f"indicators/{indicator_slug(ind_id)}/")

    # pages
    def home(self) -> HomePage:
        current = self.areas[(self.areas["type"] == "icb") & self.areas["current"]]
        regions = []
        for region_code, group in current.groupby("parent_code", sort=False):
            regions.append((self.areas.at[region_code, "short_name"],
                            [self.area_link(c) for c in group.sort_values("short_name").index]))
        regions.sort()
        releases = [{"title": p.title, "version": p.version, "created": p.created, "href": f"data/{p.name}/"}
                    for p in self.data.packages]
        counts = {"icbs_current": len(current), "indicators": len(self.indicators),
                  "profiles": len(self.with_data), "values": int(self.values["value"].notna().sum())}
        return HomePage("home.html", "", "Home", self.data_description(), regions=regions,
                        domains=self.domain_links(), releases=releases, counts=counts)

    def domain_links(self) -> list[tuple[str, list[Link]]]:
        out = []
        for domain, group in self.indicators.groupby("domain", sort=False):
            out.append((DOMAINS.get(domain, domain), [self.indicator_link(i) for i in group.index]))
        return out

    def ics_index(self) -> IcsIndexPage:
        icbs = self.areas[self.areas["type"] == "icb"].copy()
        icbs["region"] = icbs["parent_code"].map(self.areas["short_name"])
        out = []
        for region, group in sorted(icbs.groupby("region"), key=lambda kv: kv[0]):
            group = group.sort_values(["current", "short_name"], ascending=[False, True])
            rows = []
            for code, row in group.iterrows():
                link = self.area_link(code)
                status = "Current" if row["current"] else f"Closed {long_date(row['valid_to'])}"
                rows.append([link, code, row["ods_code"] if not is_missing(row["ods_code"]) else "",
                             long_date(row["valid_from"]), status])
            out.append((region, Table(f"Integrated care boards in {region}",
                                      ["Integrated care board", "ONS code", "ODS code", "Established", "Status"], rows,
                                      stack=True)))
        return IcsIndexPage("ics_index.html", "ics/", "Integrated Care Systems",
                            "Every Integrated Care System in England, by NHS England region.", regions=out)

    def profile(self, code: str) -> ProfilePage:
        area = self.areas.loc[code]
        rows = self.by_area[code]
        latest = rows.sort_values("period_end").groupby("indicator_id").tail(1).set_index("indicator_id")
        latest_rows = latest.to_dict("index")
        domains, counts = [], {"Better": 0, "Worse": 0, "Similar": 0, "compared": 0, "better_trend": 0, "worse_trend": 0}
        for domain, ids in self.domain_ids.items():
            items = []
            for ind_id in ids:
                if ind_id not in latest_rows:
                    continue
                ind = self.ind[ind_id]
                r = latest_rows[ind_id]
                trend = self.trend_of(ind_id, code)
                comparison = r["compared_to_england"]
                if ind["polarity"] != "no_judgement" and comparison != "Not compared":
                    counts["compared"] += 1
                    counts[comparison] = counts.get(comparison, 0) + 1
                counts["better_trend"] += trend.endswith("getting better")
                counts["worse_trend"] += trend.endswith("getting worse")
                items.append(IndicatorRow(
                    link=self.indicator_link(ind_id), period=r["period"],
                    value=self.fmt(r["value"], ind) if r["status"] != "suppressed" else "Suppressed",
                    england=self.fmt(r["england_value"], ind), comparison=comparison,
                    rank=rank_text(r), trend=trend, illustrative=bool(ind["illustrative"]),
                    summary=row_sentence(comparison, trend, r["status"], bool(r["small_number"]))))
            if items:
                domains.append((DOMAINS.get(domain, domain), items))
        name = area["short_name"]
        summary = area_sentences(name, counts)
        return ProfilePage(
            "profile.html", f"ics/{area['slug']}/", name,
            f"How {name} Integrated Care System compares with England on {len(latest)} indicators.",
            has_charts=True, area=self.area_dict(code), population=self.population(code),
            status_note=self.status_note(code),
            successors=[self.area_link(c, self.succession_kind(code, c)) for c in self.data.successors(code)],
            predecessors=[self.area_link(c, self.succession_kind(c, code)) for c in self.data.predecessors(code)],
            lineage_notes=self.lineage_notes(code), summary=summary, domains=domains,
            charts=self.profile_charts(code, name), spine=self.spine(code, name, latest_rows),
            downloads=self.downloads.get(f"ics/{code}", []),
            peers=[self.area_link(c) for c in self.comp.peers.get(code, [])],
            learn=self.learn_from(code, latest_rows),
            places=[f"{n} (part)" if part else n for n, part in self.data.places_of(code)],
            places_note=self.places_note(code))

    def places_note(self, code: str) -> str:
        """The source of a board's list of places."""
        vintages = set(self.data.places.loc[self.data.places["icb_code"] == code, "vintage"])
        if not vintages:
            return ""
        newest = max(vintages)
        if newest.startswith("2026"):
            return ("Local authority districts from the ONS April 2024 lookup, relabelled with the April 2026 boards: "
                    "approximate until ONS publishes the 2026 lookup.")
        month = "July 2022" if newest == "2022" else "April 2024"
        return f"Local authority districts from the ONS {month} lookup of districts to boards."

    def learn_from(self, code: str, latest_rows: dict) -> list[dict]:
        """For each indicator where this ICS is worse than England: better peers and the most improved ICSs."""
        out = []
        for ind_id in [i for ids in self.domain_ids.values() for i in ids]:
            found = self.comp.learning.get((code, ind_id))
            if not found or ind_id not in latest_rows:
                continue
            out.append({"indicator": self.indicator_link(ind_id), "period": latest_rows[ind_id]["period"],
                        "peers": [self.area_link(c) for c in found["peers"]],
                        "improvers": [self.area_link(c) for c in found["improvers"] if c != code]})
        return out

    def area_dict(self, code: str) -> dict:
        a = self.areas.loc[code]
        return {"code": code, "ods_code": "" if is_missing(a["ods_code"]) else a["ods_code"], "name": a["name"],
                "short_name": a["short_name"], "region": self.areas.at[a["parent_code"], "short_name"]
                if not is_missing(a["parent_code"]) else "", "valid_from": long_date(a["valid_from"]),
                "valid_to": long_date(a["valid_to"]), "current": bool(a["current"]),
                "code_note": "" if is_missing(a["code_note"]) else a["code_note"]}

    def population(self, code: str) -> str:
        """The latest registered population, if the data has it."""
        rows = self.by_area[code]
        pop = rows[rows["indicator_id"] == "registered_population"]
        if pop.empty:
            return ""
        last = pop.sort_values("period_end").iloc[-1]
        return f"{number(last['value'], 0)} people registered with a GP ({last['period']})"

    def status_note(self, code: str) -> str:
        a = self.areas.loc[code]
        if a["current"]:
            return f"Established {long_date(a['valid_from'])}; current."
        return f"This board closed on {long_date(a['valid_to'])}."

    def succession_kind(self, before: str, after: str) -> str:
        s = self.data.successions
        kind = s.loc[(s["predecessor_code"] == before) & (s["successor_code"] == after), "kind"]
        return {"code_change": "same board, new ONS code", "merger": "merged", "split": "part of its area",
                "boundary_change": "boundary change"}.get(kind.iloc[0], kind.iloc[0]) if len(kind) else ""

    def lineage_notes(self, code: str) -> list[str]:
        """What the trend charts do with each kind of predecessor's values."""
        s = self.data.successions
        mine = s[s["successor_code"] == code]
        notes = []
        for kind, group in mine.groupby("kind", sort=False):
            when = long_date(pd.Timestamp(group["date"].iloc[0]))
            if kind == "code_change":
                codes = join_names(sorted(group["predecessor_code"]))
                notes.append(f"Values published under the earlier ONS code {codes} are the same board and area: they "
                             "are joined to this board's series.")
            elif kind == "boundary_change":
                names = join_names(sorted({self.short_names.get(c, c) for c in group["predecessor_code"]}))
                notes.append(f"Values from before {when} cover {names}'s previous boundary: trend charts show them as "
                             "a separate line, with a break at the change, and the direction of travel uses only "
                             "values since the change.")
        others = sorted(self.short_names.get(c, c) for c in mine.loc[mine["kind"].isin(["merger", "split"]),
                                                                         "predecessor_code"])
        if others:
            notes.append(f"Values of {join_names(others)} are not joined to this board's series: a merger or a split "
                         "makes a different area.")
        return notes

    def trend_of(self, ind_id: str, code: str) -> str:
        return self.trend_texts.get((ind_id, code), "Cannot be calculated")

    def profile_charts(self, code: str, name: str) -> list[Chart]:
        """One small-multiple trend chart per theme: this ICS, its peers and England over the latest periods.

        A series that crosses a boundary change is drawn as one line per segment (the `segment` field), with a
        vertical rule at the change; the table gives each value's boundary. England's line is never broken. Peers
        (the most similar ICSs) are thin grey lines over the same periods, each with a column in the table.
        """
        out = []
        mine = self.recent.get(code, {})
        peer_codes = self.comp.peers.get(code, [])
        peer_names = [self.short_names[p] for p in peer_codes]
        for domain, ids in self.domain_ids.items():
            rows, table_rows, breaks, joined = [], [], {}, set()
            for ind_id in ids:
                series = mine.get(ind_id)
                if series is None or len(series["value"]) < 2:
                    continue
                ind = self.ind[ind_id]
                title = short_title(ind)
                shown = set(series["end"])
                peer_values = []  # per peer: {period end: value}
                for peer, peer_name in zip(peer_codes, peer_names):
                    theirs = self.recent.get(peer, {}).get(ind_id)
                    found = {}
                    if theirs is not None:
                        for end, value, segment in zip(theirs["end"], theirs["value"], theirs["segment"]):
                            if end in shown:
                                found[end] = value
                                rows.append({"title": title, "series": PEERS_LABEL, "area": peer_name,
                                             "segment": f"{peer}:{segment}", "period": "", "period_end": end,
                                             "value": round(float(value), 4)})
                    peer_values.append(found)
                for period, end, value, england, segment, before_break, source in zip(
                        series["period"], series["end"], series["value"], series["england_value"],
                        series["segment"], series["before_break"], series["area_code"]):
                    rows.append({"title": title, "series": name, "area": name, "segment": segment, "period": period,
                                 "period_end": end, "value": round(float(value), 4)})
                    if not is_missing(england) and ind["value_type"] != "count":  # a count is not on England's scale
                        rows.append({"title": title, "series": "England", "area": "England", "segment": "",
                                     "period": period, "period_end": end, "value": round(float(england), 4)})
                    table_rows.append([ind["title"], period, segment, self.fmt(value, ind), self.fmt(england, ind)]
                                      + [self.fmt(found.get(end), ind) for found in peer_values])
                    if source != code and not before_break:
                        joined.add(source)
                # a rule at each boundary change that values in the window come from before
                ends = {when: note for when, note, before in zip(series["segment_end"], series["break_note"],
                                                                 series["before_break"]) if before}
                for when, note in sorted(ends.items()):
                    breaks[when] = note
                    rows.append({"title": title, "period_end": when.strftime("%Y-%m-%d"),
                                 "label": f"Boundary changed\n{short_date(when)}",
                                 "side": label_side(when, series["period_end"][0], series["period_end"][-1], 0.55),
                                 "headroom": headroom(series["value"] + series["england_value"], 0.45)})
            if not rows:
                continue
            periods = {r["period_end"]: r["period"] for r in rows if r.get("series") == name}
            for r in rows:  # a peer's point is labelled with the period it shares with this ICS
                if r.get("series") == PEERS_LABEL:
                    r["period"] = periods[r["period_end"]]
            title = DOMAINS.get(domain, domain)
            with_peers = any(r.get("series") == PEERS_LABEL for r in rows)
            spec = charts.trend_chart(rows, title=f"{title}: {name}, similar ICSs and England over time"
                                      if with_peers else f"{title}: {name} and England over time",
                                      area_label=name, peers=with_peers)
            n_ind = len({r["title"] for r in rows})
            description = (f"Line charts, one for each of {n_ind} indicators on {title.lower()}, showing {name}'s "
                           f"values (solid blue line with points) and England's (dashed line) for up to the latest "
                           f"{TREND_WINDOW} periods.")
            if with_peers:
                description += (f" Thin grey lines show the {len(peer_codes)} most similar ICSs "
                                f"({join_names(peer_names)}).")
            description += " The table gives every value shown."
            for when, note in sorted(breaks.items()):
                why = f": {note.rstrip('.')}." if note else "."
                description += (f" {name}'s series has a break on {long_date(when)}, when its boundary changed{why} "
                                "Values before and after the change cover different areas, so they are drawn as "
                                "separate lines with a vertical line at the change; the table gives each value's "
                                "boundary, and the direction of travel uses only values since the change.")
            if joined:
                description += (f" Earlier values were published under the board's previous ONS code "
                                f"({', '.join(sorted(joined))}); the board and its area did not change, so the line "
                                "continues.")
            peer_columns = peer_names if with_peers else []
            if not with_peers:
                table_rows = [r[:5] for r in table_rows]
            columns = ["Indicator", "Period", "Boundary", name, "England"] + peer_columns
            numeric = [False, False, False, True, True] + [True] * len(peer_columns)
            if not breaks:
                columns, numeric = columns[:2] + columns[3:], numeric[:2] + numeric[3:]
                table_rows = [r[:2] + r[3:] for r in table_rows]
            caption = (f"{title}: trends in {name}, similar ICSs and England" if with_peers
                       else f"{title}: trends in {name} and England")
            out.append(Chart(
                id=f"trend-{domain}", spec_json=spec_json(spec), caption=caption, description=description,
                table=Table(f"{title}: values for {name}" + (", similar ICSs and England" if with_peers else " and England"),
                            columns, table_rows, numeric, stack=with_peers)))
        return out

    def indicator_index(self) -> IndicatorIndexPage:
        out = []
        for domain, inds in self.indicators.groupby("domain", sort=False):
            rows = []
            for ind_id, ind in inds.iterrows():
                latest = self.comp.latest_period.loc[ind_id] if ind_id in self.comp.latest_period.index else None
                period = latest["period"] if latest is not None else "–"
                vals = self.by_indicator.get(ind_id, self.values.iloc[:0])
                eng = vals[(vals["area_code"] == ENGLAND) & (vals["period"] == period)]["value"]
                rows.append([self.indicator_link(ind_id), period, self.fmt(eng.iloc[0] if len(eng) else None, ind),
                             polarity_text(ind["polarity"])])
            out.append((DOMAINS.get(domain, domain), Table(
                f"Indicators on {DOMAINS.get(domain, domain).lower()}",
                ["Indicator", "Latest period", "England", "Polarity"], rows, [False, False, True, False], stack=True)))
        return IndicatorIndexPage("indicator_index.html", "indicators/", "Indicators",
                                  "Every indicator in the common set, by theme.", domains=out)

    def indicator(self, ind_id: str) -> IndicatorPage:
        ind = self.ind[ind_id]  # a dict: a Series lookup per formatted value is most of a page's build time
        vals = self.by_indicator.get(ind_id, self.values.iloc[:0])
        latest = self.comp.latest_period.loc[ind_id] if ind_id in self.comp.latest_period.index else None
        period = latest["period"] if latest is not None else ""
        now = vals[(vals["period"] == period) & (vals["area_type"] == "icb")].copy()
        england = vals[(vals["period"] == period) & (vals["area_code"] == ENGLAND)]["value"]
        eng_value = float(england.iloc[0]) if len(england) else None
        target = None if is_missing(ind["target"]) else float(ind["target"])
        summary = indicator_summary(ind, now, period)
        return IndicatorPage(
            "indicator.html", f"indicators/{indicator_slug(ind_id)}/", ind["title"], ind["definition"],
            has_charts=True, indicator=self.indicator_dict(ind), polarity_text=polarity_text(ind["polarity"]),
            latest_period=period, england=self.fmt(eng_value, ind),
            target=(self.fmt(target, ind) + (f" ({ind['target_label']})" if ind["target_label"] else "")) if target is not None else "",
            summary=summary, ranked=self.ranked_chart(ind, now, period, eng_value, target),
            over_time=self.over_time(ind, vals),
            funnel=self.funnel(ind, now, period, eng_value), tiles=self.tiles(ind, now, period),
            downloads=self.downloads.get(f"indicators/{ind_id}", []) + self.downloads.get(ind["package"], []),
            most_improved=[self.area_link(c, self.trend_of(ind_id, c))
                           for c in self.comp.learning.get((None, ind_id), [])],
            target_summary=target_summary(now, ind))

    def indicator_dict(self, ind) -> dict:
        keys = ["id", "title", "domain_title", "unit", "polarity", "value_type", "multiplier", "decimals",
                "definition", "source", "frequency", "illustrative", "package", "keywords"]
        out = {k: ind[k] for k in keys}
        out["fingertips_id"] = "" if is_missing(ind.get("fingertips_id")) else str(ind["fingertips_id"])
        return out

    def ranked_chart(self, ind, now: pd.DataFrame, period: str, eng_value, target) -> Chart | None:
        if now.empty:
            return None
        now = now[now["value"].notna()].sort_values(["rank", "area_code"])
        rows, table_rows = [], []
        for order, r in enumerate(now.to_dict("records"), start=1):
            name = self.short_names[r["area_code"]]
            rows.append({"area": name, "value": round(float(r["value"]), 4),
                         "lower": None if is_missing(r["lower_ci"]) else round(float(r["lower_ci"]), 4),
                         "upper": None if is_missing(r["upper_ci"]) else round(float(r["upper_ci"]), 4),
                         "comparison": r["compared_to_england"], "order": order, "rank": int(r["rank"])})
            table_rows.append([ordinal(r["rank"]), self.area_link(r["area_code"]), self.fmt_n(r["value"], ind),
                               self.fmt_n(r["lower_ci"], ind), self.fmt_n(r["upper_ci"], ind),
                               r["compared_to_england"], r["compared_to_england_99_8"], rank_range_text(r)])
        direction = {"high_is_good": "highest (best) first", "low_is_good": "lowest (best) first"}.get(
            ind["polarity"], "highest first")
        with_ci = any(r["lower"] is not None for r in rows)
        # a count for England is a total, not on an ICS's scale: no England line for counts
        england_line = None if ind["value_type"] == "count" else eng_value
        spec = charts.ranked_chart(rows, title=f"{ind['title']}, {period}",
                                   subtitle=f"{len(rows)} ICSs, {direction}" + (", with 95% confidence intervals"
                                                                               if with_ci else ""),
                                   unit=ind["unit"], england=england_line, target=target,
                                   decimals=int(ind["decimals"]))
        counts = now["compared_to_england"].value_counts()
        parts = [f"{counts[c]} {c.lower()}" for c in ("Better", "Similar", "Worse", "Lower", "Higher", "Not compared")
                 if c in counts]
        description = f"Dot chart of {ind['short_title']} in {period} for {len(rows)} ICSs, {direction}"
        description += ", each with its 95% confidence interval as a horizontal line" if with_ci else \
            "; this measure has no confidence intervals, so ICSs are not compared with England"
        if england_line is not None:
            description += f"; the dashed line is England's value ({self.fmt(eng_value, ind)})"
        if with_ci:
            description += f". Compared with England: {', '.join(parts)}"
        description += "."
        return Chart(id="ranked", spec_json=spec_json(spec), caption=f"{ind['title']}: every ICS, {period}",
                     description=description,
                     table=Table(f"{ind['title']} by ICS, {period} ({ind['unit']})",
                                 ["Rank", "ICS", "Value", "Lower 95% limit", "Upper 95% limit",
                                  "Compared with England (95%)", "Compared with England (99.8%)", "Rank could be"],
                                 table_rows, [True, False, True, True, True, False, False, False]))

    def funnel(self, ind, now: pd.DataFrame, period: str, eng_value) -> Chart | None:
        """Funnel plot for indicators whose values have denominators (proportions and crude rates)."""
        if ind["value_type"] not in ("proportion", "crude_rate") or now.empty or now["denominator"].isna().all():
            return None
        now = now[now["value"].notna() & now["denominator"].notna()].sort_values("area_code")
        rows = [{"area": self.short_names[r["area_code"]], "value": round(float(r["value"]), 4),
                 "denominator": float(r["denominator"]), "comparison": r["compared_to_england"]}
                for r in now.to_dict("records")]
        spec = charts_more.funnel_chart(rows, title=f"{ind['short_title']}: value against size, {period}",
                                        subtitle="Control limits around England's value at 95% and 99.8%",
                                        unit=ind["unit"], england=eng_value, decimals=int(ind["decimals"]),
                                        multiplier=float(ind["multiplier"]), value_type=ind["value_type"])
        outside = int(now["compared_to_england_99_8"].isin(["Better", "Worse", "Higher", "Lower"]).sum())
        table_rows = [[self.area_link(r["area_code"]), number(r["denominator"], 0), self.fmt_n(r["value"], ind),
                       r["compared_to_england"], r["compared_to_england_99_8"]] for r in now.to_dict("records")]
        return Chart(id="funnel", spec_json=spec_json(spec), caption=f"{ind['short_title']}: funnel plot, {period}",
                     description=(f"Funnel plot: each ICS's value in {period} against the number of people or events "
                                  "it is based on, with England's value as a line and funnels of 95% and 99.8% control "
                                  "limits around it, which narrow as numbers grow. Points outside the funnels differ "
                                  f"from England by more than chance; {outside} ICSs lie outside the 99.8% limits."),
                     table=Table(f"{ind['title']}: value and denominator by ICS, {period}",
                                 ["ICS", "Denominator", "Value", "Compared with England (95%)",
                                  "Compared with England (99.8%)"], table_rows, [False, True, True, False, False]))

    def tiles(self, ind, now: pd.DataFrame, period: str) -> Chart | None:
        """Tile map of the ICSs of the latest period, coloured by comparison with England."""
        now = now[now["value"].notna()]
        if now.empty:
            return None
        day = now["period_end"].max()
        if day not in self.layouts:  # one layout per date: the map of boards changes only with the boards
            self.layouts[day] = tile_layout(self.areas.reset_index(drop=True), self.data.successions, day)
        layout = self.layouts[day]
        layout = layout[layout["code"].isin(set(now["area_code"]))]
        values = {r["area_code"]: {"comparison": r["compared_to_england"], "value_text": self.fmt(r["value"], ind)}
                  for r in now.to_dict("records")}
        rows = tile_chart_rows(layout, self.short_names, values)
        spec = charts.tile_chart(rows, title=f"{ind['short_title']} by ICS, {period}",
                                 subtitle="Each square is an ICS, placed roughly as on a map of England",
                                 columns=int(layout["col"].max()) + 1, rows_count=int(layout["row"].max()) + 1)
        table_rows = [[self.area_link(r["code"]), r["label"], r["comparison"], r["value_text"]]
                      for r in sorted(rows, key=lambda r: r["name"])]
        counts = Counter(r["comparison"] for r in rows)
        return Chart(id="tiles", spec_json=spec_json(spec), caption=f"{ind['short_title']}: map of ICSs, {period}",
                     description=(f"Tile map of {len(rows)} ICSs, one square each, arranged roughly as on a map of "
                                  "England (north at the top), each labelled with its initials and shaded by how it "
                                  "compares with England: "
                                  + ", ".join(f"{n} {c.lower()}" for c, n in sorted(counts.items())) + "."),
                     table=Table(f"{ind['title']}: ICSs on the tile map, {period}",
                                 ["ICS", "Label on the map", "Compared with England", "Value"], table_rows))

    def spine(self, code: str, name: str, latest_rows: dict) -> Chart | None:
        """Spine chart: each indicator, this ICS's latest value against the range of ICSs and England."""
        rows, table_rows = [], []
        for ind_id in [i for ids in self.domain_ids.values() for i in ids]:
            r = latest_rows.get(ind_id)
            ind = self.ind[ind_id]
            if r is None or is_missing(r["value"]) or ind["domain"] == "context":
                continue
            q = self.spread.get((ind_id, r["period"]))
            if q is None:
                continue
            rows.append({"title": ind["short_title"], "polarity": ind["polarity"], "value": float(r["value"]),
                         "england": None if is_missing(r["england_value"]) else float(r["england_value"]),
                         "min": q[0], "q25": q[1], "q75": q[2], "max": q[3], "comparison": r["compared_to_england"],
                         "value_text": self.fmt(r["value"], ind), "england_text": self.fmt(r["england_value"], ind)})
            table_rows.append([ind["title"], r["period"], self.fmt(r["value"], ind), self.fmt(r["england_value"], ind),
                               self.fmt(q[0], ind), self.fmt(q[3], ind), r["compared_to_england"]])
        if not rows:
            return None
        spec = charts_more.spine_chart(rows, title=f"{name} on every indicator, latest period", area_label=name)
        return Chart(id="spine", spec_json=spec_json(spec), caption=f"{name} compared with all ICSs and England",
                     description=(f"Spine chart of {len(rows)} indicators: for each, a bar spans the ICSs from worst "
                                  "to best (the darker middle part holds the middle half), a line marks England and "
                                  f"a point marks {name}, shaped and shaded by how it compares with England. The table "
                                  "gives each value."),
                     table=Table(f"{name}: latest values against the range of ICSs",
                                 ["Indicator", "Period", name, "England", "Lowest ICS", "Highest ICS",
                                  "Compared with England"], table_rows, [False, False, True, True, True, True, False]))

    def over_time(self, ind, vals: pd.DataFrame) -> Chart | None:
        """Every ICS and England over time, with a rule wherever the map of boards changed.

        One line per board: codes that changed by `code_change` join their successor's line, and boards that
        closed or opened (including a boundary change, which gives a new code) have lines of their own.
        """
        shown = vals[vals["area_type"].isin(["icb", "country"]) & vals["value"].notna()]
        periods = shown.drop_duplicates("period").sort_values("period_end")
        if len(periods) < 2:
            return None
        shown = shown.sort_values(["area_code", "period_end"])
        rows = [{"area": self.short_names[code], "line": self.line_codes.get(code, code),
                 "series": "England" if code == ENGLAND else "ICS", "period": period, "period_end": end,
                 "value": round(float(value), 4)}
                for code, period, end, value in zip(shown["area_code"], shown["period"],
                                                    shown["period_end"].dt.strftime("%Y-%m-%d"), shown["value"])]
        last = list(periods["period"].tail(6))
        wide = shown[shown["period"].isin(last)].drop_duplicates(["area_code", "period"]).pivot(
            index="area_code", columns="period", values="value")
        table_rows = []
        cells = wide.reindex(columns=last).to_dict("index")
        order = sorted(wide.index, key=lambda c: (c != ENGLAND, self.short_names[c], self.areas.at[c, "valid_from"]))
        names = Counter(self.short_names[c] for c in order)
        for code in order:
            link = self.area_link(code) if code != ENGLAND else Link("England", "")
            if code != ENGLAND and names[link.text] > 1:  # one board under two codes: say which is which
                link.text = f"{link.text} ({self.validity_text(code)})"
            table_rows.append([link if code != ENGLAND else "England"] +
                              [self.fmt_n(cells[code][p], ind) for p in last])
        first, last_end = periods["period_end"].min(), periods["period_end"].max()
        changes = [c for c in self.changes if periods["period_start"].min() < c["date"] <= last_end]
        rules = [{"period_end": c["date"].strftime("%Y-%m-%d"),
                  "label": change_label(c["boards_before"], c["boards_after"], c["date"]),
                  "side": label_side(c["date"], first, last_end, 0.8), "headroom": headroom(shown["value"], 0.08)}
                 for c in changes]
        spec = charts.over_time_chart(rows, title=f"{ind['title']} over time", unit=ind["unit"],
                                      decimals=int(ind["decimals"]), changes=rules)
        description = (f"Line chart of {ind['short_title']} from {periods['period'].iloc[0]} to "
                       f"{periods['period'].iloc[-1]}: one thin line for each ICS and a thick dashed line for England.")
        for c in changes:
            when, before, after, what = c["date"], c["boards_before"], c["boards_after"], kinds_text(c["kinds"])
            change = (f"{before} integrated care boards became {after} through {what}" if before != after
                      else f"{what} took effect ({after} integrated care boards before and after)")
            description += (f" A vertical line marks {long_date(when)}, when {change}: boards that closed or opened "
                            "then, or whose boundary changed, have separate lines, so values either side of the line "
                            "are for different areas.")
        description += " The table gives the latest periods."
        return Chart(id="over-time", spec_json=spec_json(spec), caption=f"{ind['title']}: every ICS and England over time",
                     description=description,
                     table=Table(f"{ind['title']}, latest {len(last)} periods ({ind['unit']})", ["Area"] + last,
                                 table_rows, [False] + [True] * len(last)))

    def validity_text(self, code: str) -> str:
        """When a code was valid, briefly: "to 31 March 2026", "from 1 April 2026"."""
        a = self.areas.loc[code]
        return f"to {long_date(a['valid_to'])}" if not a["current"] else f"from {long_date(a['valid_from'])}"

    def content(self, src) -> ContentPage:
        title = src.meta.get("title") or src.slug.replace("-", " ").capitalize()
        path = f"{src.slug}/" if src.slug else ""
        return ContentPage("content.html", path, str(title),  # validation allows no other template
                           str(src.meta.get("description", "")), body_html=render_markdown(src.body))

    def data_description(self) -> str:
        return ("How England's Integrated Care Systems compare on one common set of indicators of population "
                "health and care, with honest uncertainty and peers to learn from.")

    # formatting helpers bound to an indicator
    def fmt(self, value, ind) -> str:
        """A value with its unit ("74.1%"), or an en dash; the hottest function of the build, so written out."""
        if value is None or value is pd.NA or value != value:  # missing (value != value: NaN)
            return "–"
        text = f"{float(value):,.{int(ind['decimals'])}f}"
        unit = ind["unit"]
        return f"{text}%" if unit == "%" else f"{text} {unit}" if unit else text

    def fmt_n(self, value, ind) -> str:
        return number(value, int(ind["decimals"]))


KIND_PLURALS = {"merger": ("a merger", "mergers"), "split": ("a split", "splits"),
                "boundary_change": ("a boundary change", "boundary changes")}


def kinds_text(kinds: dict[str, int]) -> str:
    """"mergers, splits and a boundary change" from the number of a day's successions of each kind."""
    parts = [KIND_PLURALS[k][0 if kinds[k] == 1 else 1] for k in KIND_PLURALS if kinds.get(k)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def recent_series(recent: pd.DataFrame) -> dict[str, dict[str, dict[str, list]]]:
    """Lineage rows sorted by series, indicator and time, as lists: {series_code: {indicator_id: {column: [...]}}}.

    Columns: period, end (ISO date), period_end, value, england_value, segment, before_break (the value is from
    before a boundary change), segment_end, break_note and area_code (the code it was published under).
    """
    cols = {"period": recent["period"], "end": recent["period_end"].dt.strftime("%Y-%m-%d"),
            "period_end": recent["period_end"], "value": recent["value"], "england_value": recent["england_value"],
            "segment": recent["segment"], "before_break": recent["segment_end"].notna(),
            "segment_end": recent["segment_end"], "break_note": recent["break_note"], "area_code": recent["area_code"]}
    lists = {c: v.tolist() for c, v in cols.items()}
    keys = list(zip(recent["series_code"], recent["indicator_id"]))
    out: dict[str, dict[str, dict[str, list]]] = {}
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            code, ind = keys[start]
            out.setdefault(code, {})[ind] = {c: v[start:i] for c, v in lists.items()}
            start = i
    return out


def headroom(values, share: float) -> float:
    """A value `share` of the values' range above their maximum: room at the top of a chart for a label."""
    values = [float(v) for v in values if not is_missing(v)]
    top, bottom = max(values), min(values)
    return round(top + (top - bottom if top > bottom else abs(top) or 1.0) * share, 4)


def label_side(when, first, last, limit: float = 0.5) -> str:
    """Which side of a rule its label goes: to the right unless the rule is in the right part of the chart."""
    span = (last - first).total_seconds()
    return "right" if span > 0 and (when - first).total_seconds() / span < limit else "left"


def change_label(before: int, after: int, when) -> str:
    """The label of a rule where the map of boards changed: "42 boards became 36"."""
    return f"{before} boards became {after}" if before != after else f"Boundaries changed {short_date(when)}"


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def short_date(value) -> str:
    """1 Apr 2026: short enough for a label on a small chart."""
    return f"{value.day} {value.strftime('%b')} {value.year}"


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


def target_summary(now: pd.DataFrame, ind) -> str:
    """"12 of 36 ICSs met the target of 78%" for the latest period, or "" without a target."""
    if now.empty or is_missing(ind["target"]) or "compared_to_target" not in now:
        return ""
    judged = now[now["compared_to_target"] != ""]
    if judged.empty:
        return ""
    met = int((judged["compared_to_target"] == "Met").sum())
    return f"{met} of {len(judged)} ICSs met the target of {with_unit(ind['target'], ind['unit'], int(ind['decimals']))}."


def embed_pages(pages: list[Page]) -> list[EmbedPage]:
    """An embed page for every chart, at <page>/<chart id>/, with links one folder up to the chart's files."""
    out = []
    for page in pages:
        source = getattr(page, "indicator", {}).get("source", "") or "the sources named on each indicator's page"
        illustrative = bool(getattr(page, "indicator", {}).get("illustrative", True))
        for chart in page_charts(page):
            chart.embed = f"{page.path}{chart.id}/"
            alone = dataclasses.replace(chart, image=f"../{chart.image}", data=f"../{chart.data}",
                                        png=f"../{chart.png}" if chart.png else "",
                                        spec=f"../{chart.spec}" if chart.spec else "")
            out.append(EmbedPage("embed.html", chart.embed, chart.caption, chart.description, has_charts=True,
                                 chart=alone, from_page=Link(page.title, page.path), source=source,
                                 licence="Open Government Licence v3.0", illustrative=illustrative))
    return out


def page_charts(page: Page) -> list[Chart]:
    """Every chart on a page, in page order."""
    charts_ = [getattr(page, name, None) for name in ("spine", "ranked", "funnel", "tiles", "over_time")]
    charts_ += list(getattr(page, "charts", []))
    return [c for c in charts_ if c is not None]


def indicator_slug(ind_id: str) -> str:
    """URL slug of an indicator: its id with hyphens."""
    return ind_id.replace("_", "-")


def short_title(ind) -> str:
    """A panel title short enough for a small chart."""
    return ind["short_title"]


def polarity_text(polarity: str) -> str:
    return {"high_is_good": "Higher is better", "low_is_good": "Lower is better"}.get(polarity, "No judgement")


def spec_json(spec: dict) -> str:
    """A spec as compact, stable JSON that is safe inside a <script type="application/json"> element.

    Every float is written to 10 significant digits at most: a safety net under the charts' own rounding, so that
    the last digits of a computation (which differ between library versions) never reach the spec.
    """
    def rounded(node):
        kind = type(node)  # exact types first: a site's specs hold millions of values
        if kind is dict:
            return {key: rounded(value) for key, value in node.items()}
        if kind is list or kind is tuple:
            return [rounded(value) for value in node]
        if kind is str or kind is int:
            return node
        return float(f"{node:.10g}") if isinstance(node, float) else node

    text = json.dumps(rounded(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def indicator_summary(ind, now: pd.DataFrame, period: str) -> list[str]:
    """A sentence a journalist could quote about the latest period."""
    counts = now["compared_to_england"].value_counts().to_dict() if not now.empty else {}
    n = int(now["value"].notna().sum()) if not now.empty else 0
    return [indicator_sentence(period, counts, n, ind["polarity"] != "no_judgement")]


def site_info(config, data: SiteData, build_date: date) -> SiteInfo:
    """The shared context of every page."""
    nav = [Link("Home", ""), Link("Find your ICS", "ics/"), Link("Indicators", "indicators/"),
           Link("Compare", "compare/"), Link("Data", "data/")]
    nav += [Link(str(p.meta.get("nav_title") or p.meta.get("title") or p.slug), f"{p.slug}/")
            for p in sorted(data.pages, key=lambda p: p.meta.get("nav_order", 99)) if p.meta.get("nav")]
    footer = [Link(str(p.meta.get("footer_title") or p.meta.get("title") or p.slug), f"{p.slug}/")
              for p in sorted(data.pages, key=lambda p: (p.meta.get("footer_order", 99), p.slug))
              if p.meta.get("footer") and not p.error]
    return SiteInfo(title=config.title, description=config.description, base_path=config.base_path, footer=footer,
                    build_date=long_date(build_date), repository_url=config.repository_url, nav=nav,
                    illustrative=bool(data.indicators["illustrative"].any()) if len(data.indicators) else False,
                    canonical_root=config.canonical_root)
