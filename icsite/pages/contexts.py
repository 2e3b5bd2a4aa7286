"""Page contexts: the template contract. One documented dataclass per page type, and nothing else.

Templates receive `site` (a `SiteInfo`) and `page` (one of the `*Page` classes below). Jinja runs with
StrictUndefined, so a template that names a field not documented here fails the tests instead of rendering blank.
Every context is built complete by its page family's module (pages.site, pages.profile, pages.indicator,
pages.compare, pages.data, pages.embed, pages.pack): nothing fills a field in afterwards, except a release page's
checksums (made from files the data stage writes at the same time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from icsite.core.display import Link, Table  # noqa: F401  (the parts of contexts: page modules import them here)


# --- Shared pieces ------------------------------------------------------------------------------------------------

@dataclass
class Chart:
    """A chart on a page: an embedded Vega-Lite spec, its text description, its data as a table and its files.

    Made only by `pages.figures.place`, which names the files from the id (they sit beside the page), so a chart is
    complete from the start. Only the page's first chart has a PNG: the picture of the page's link preview.
    """

    id: str
    spec_json: str  # JSON, safe inside <script type="application/json">
    caption: str
    description: str
    table: Table
    image: str  # file name of the pre-rendered SVG beside the page ("<id>.svg"), or "" (the `images` setting)
    data: str  # file name of the chart's data as CSV beside the page: "<id>.csv"
    spec: str  # file name of the Vega-Lite spec (JSON) beside the page: "<id>.vl.json"
    embed: str  # the chart's embed page, relative to the site root: "<page path><id>/"
    png: str = ""  # file name of the PNG image beside the page ("<id>.png"), for the page's first chart only


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
    indicators: int = 0  # how many indicators the site has
    official: int = 0  # how many of them carry official statistics (not illustrative)
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
    image: str = ""  # a picture for link previews (Open Graph), relative to the site root: the first chart's PNG
    json_ld: str = ""  # schema.org metadata as JSON, safe inside <script type="application/ld+json">
    feed: str = ""  # an Atom feed about this page's subject, relative to the site root ("ics/<slug>/feed.xml")
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
    trend_note: str = ""  # why the direction of travel cannot be given, or why a significant slope is not a trend
    summary: str = ""  # the plain-English sentence for this ICS and indicator
    technical: str = ""  # the indicator's official title, when the link shows its plain (short) title
    glossary: list[Link] = field(default_factory=list)  # glossary entries for the jargon in the official title


@dataclass
class ProfilePage(Page):
    area: dict = field(default_factory=dict)  # code, ods_code, name, short_name, region, valid_from, valid_to, current
    # (never the registry's code_note: a note to publishers, not a public fact)
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
    learn: list[dict] = field(default_factory=list)  # {indicator, peers, improvers, stories: what they did}: Links
    stories: list[Link] = field(default_factory=list)  # this board's improvement stories (note: period and summary)
    verdict: str = ""  # one sentence first: how many indicators are better, similar and worse than England
    better: list[Link] = field(default_factory=list)  # most clearly better than England (plain title; note: figures)
    worse: list[Link] = field(default_factory=list)  # most clearly worse than England, likewise
    contents: list[Link] = field(default_factory=list)  # the page's sections ("#id" links), in order
    not_yet: list[tuple[str, list[Link]]] = field(default_factory=list)  # why, and the indicators with no figures
    population_note: str = ""  # why there is no population figure and when there will be ("" when there is one)
    glossary: str = ""  # the glossary page ("glossary/"), "" when the site has none (pages.glossary)
    peers_note: str = ""  # why a current board has no similar systems ("" when it has them, or has closed)
    pack: str = ""  # its peer-challenge pack ("ics/<slug>/pack/"), "" when the build makes none (pages.pack)
    pack_pdf: str = ""  # the pack as a PDF (`pages.pack.pack_pdf_path`), "" when the build makes none


@dataclass
class WorseRow:
    """An indicator on which an ICS is significantly worse than England, with the systems to learn from (a pack)."""

    indicator: Link  # plain (short) title
    period: str
    value: str  # with its unit when that is "%" ("74.1%"), else the number alone ("109.9"): see `unit`
    england: str
    peers: list[Link]  # similar systems significantly better in the same period (note: their value)
    improvers: list[Link]  # the ICSs improving most significantly (note: from what to what, or their value)
    stories: list[Link]  # those systems' improvement stories on it (text: the story's label, which says when it is
    # an invented example; note: whose)
    illustrative: bool = False  # generated values, not official statistics
    unit: str = ""  # a unit longer than "%" ("per 100,000"), which the values then leave out
    improved: str = ""  # the periods all `improvers` moved between ("Sep 2025 to Sep 2026"), "" when they differ


@dataclass
class TravelRow:
    """An indicator on which an ICS is improving or getting worse significantly (a pack)."""

    indicator: Link  # plain (short) title
    direction: str  # the direction of travel's label ("Better than a year earlier")
    test: str  # the test's window: "trend over the latest 5 years", "against a year earlier"
    start: str  # the value at the start of the window, with its period: "74.1% (Jun 2025)"
    end: str  # the latest value, with its period
    england: str  # England's values in the same two periods: "73.0% to 74.0%"
    illustrative: bool = False


@dataclass
class PackPage(Page):
    """ics/<slug>/pack/: an ICS's peer-challenge pack, written for a board paper and printable on 8 A4 pages
    (pages.pack): a summary, the gaps to England with the similar systems doing better, the direction of travel,
    questions for the board (pages.questions), and how the figures are made, from which release."""

    area: dict = field(default_factory=dict)  # code, name, short_name, region, current, valid_to ("" if current)
    profile: Link | None = None  # the ICS's profile
    peers_page: Link | None = None  # the ICS beside its similar systems ("ics/<slug>/peers/"), None without peers
    pdf: str = ""  # the pack as a PDF (`pages.pack.pack_pdf_path`), "" when the build makes none
    verdict: str = ""  # against England: the profile's sentence
    standing: list[str] = field(default_factory=list)  # against its similar systems, direction of travel, targets
    better: list[Link] = field(default_factory=list)  # most clearly better than England (plain title; note: figures)
    worse: list[Link] = field(default_factory=list)  # most clearly worse than England, likewise
    peers: list[Link] = field(default_factory=list)  # its similar systems, nearest first
    successors: list[Link] = field(default_factory=list)  # a closed board: the packs of the boards covering its area
    sure: list[str] = field(default_factory=list)  # how sure each kind of statement is: the tests and their levels
    picture: dict | None = None  # the profile's spine chart as an image (not a `Chart`: the pack draws none):
    # image, phone (site-root paths), caption, description, table (the profile's table of its values); or None
    gaps: list[WorseRow] = field(default_factory=list)  # worse than England, in the site's order of indicators
    gaps_intro: str = ""  # what the table of gaps holds
    improving: list[TravelRow] = field(default_factory=list)
    worsening: list[TravelRow] = field(default_factory=list)
    travel_note: str = ""  # what the direction of travel says of the other indicators
    questions: list[str] = field(default_factory=list)  # for the board, most important first (pages.questions)
    methods: list[str] = field(default_factory=list)  # the methods note, paragraphs
    packages: list[dict] = field(default_factory=list)  # title, version, released, licence (Link), href, illustrative
    sources: list[tuple[str, list[Link]]] = field(default_factory=list)  # "Pages this pack draws on", by kind


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
    improved_text: str = ""  # what "most improved" means for this indicator's direction of travel, or why it has none
    target_summary: str = ""  # how many ICSs meet the target in the latest period
    improved_stories: list[list[Link]] = field(default_factory=list)  # per most improved ICS: what it did here
    stories: list[Link] = field(default_factory=list)  # improvement stories naming the indicator (note: board ...)


@dataclass
class DataIndexPage(Page):
    packages: list[dict] = field(default_factory=list)  # name, title, description, href, version, released, ...
    everything: list[Link] = field(default_factory=list)  # each indicator's API file of every value, by title


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
    latest_alias: bool = False  # this is data/<package>/latest/: a page that leads to the current release
    previous: Link | None = None
    citation: str = ""
    downloads: list[Link] = field(default_factory=list)
    checksums: Table | None = None  # file and SHA-256, from SHA256SUMS (filled by pages.data.checksum_rows)
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
    #: find your ICS without JavaScript (empty without a place lookup): the groups of places by first letter
    #: ("T", [Link("Tr", "places/tr/"), ...]), the postcode areas (Link("LS", "postcodes/ls/")), the councils page
    place_groups: list[tuple[str, list[Link]]] = field(default_factory=list)
    postcode_areas: list[Link] = field(default_factory=list)
    councils: Link | None = None
    place_index: str = ""  # the folder of the sharded index the search as you type reads ("places/find/")
    place_attribution: str = ""


@dataclass
class PlaceListPage(Page):
    """places/<xy>/, places/councils/, postcodes/<area>/ (pages.places): places, councils or postcode districts,
    each with its council(s) and the ICS(s) covering it (`pages.places.PlaceRow`), current boards first."""

    rows: list = field(default_factory=list)  # each row's HTML, an <li> (thousands a page: `pages.places.row_html`)
    siblings: list[Link] = field(default_factory=list)  # the other pages of the same first letter
    attribution: str = ""
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


@dataclass
class StoryPage(Page):
    """An improvement story (stories/<name>/): what a system did, and whether the indicators it aimed to move did."""

    story: object = None  # the `inputs.stories.Story` (title, summary, source, contact, example, periods ...)
    board: Link = None  # the board's profile
    region: str = ""
    indicators: list[Link] = field(default_factory=list)  # the indicators the work aimed to move
    period: str = ""  # "2019/20 to 2023/24"
    body_html: str = ""  # the story's markdown, rendered and sanitised
    peers: list[Link] = field(default_factory=list)  # the board's similar systems, drawn in the chart
    chart: Chart | None = None  # the indicators for the board, its peers and England over the story's period
    others: list[Link] = field(default_factory=list)  # the board's other stories


@dataclass
class StoriesIndexPage(Page):
    """stories/: every improvement story, by theme of the indicators it names and by board."""

    themes: list[tuple[str, list[Link]]] = field(default_factory=list)  # a story under each theme it touches
    boards: list[tuple[Link, list[Link]]] = field(default_factory=list)  # (board, its stories)
    examples: int = 0  # how many of the stories are invented examples
    count: int = 0


@dataclass
class SideBySidePage(Page):
    """Every indicator's latest value for a group of areas, with each ICS's comparison with England."""

    eyebrow: str = ""
    intro: list[str] = field(default_factory=list)
    members: list[Link] = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)  # by theme


@dataclass
class ComparePage(Page):
    """Choose any ICSs to put side by side (in the browser); without JavaScript, links to the prepared comparisons."""

    systems: list[dict] = field(default_factory=list)  # code, name (current boards first)
    regions: list[Link] = field(default_factory=list)
    peer_pages: list[Link] = field(default_factory=list)
    england: dict = field(default_factory=dict)  # code, name: the comparison's first column after the indicator
