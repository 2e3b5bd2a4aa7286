"""The model, its comparisons and the derived tables, indexed once for every page: `SiteIndex`.

Each page builder takes its slice from here (an area's latest rows, an indicator's rows, a board's places and
successions) instead of filtering whole tables, so building every page costs time in proportion to the data.
Links and the formatting of values bound to an indicator live here too, so that every page writes them alike.
"""

from __future__ import annotations

import pandas as pd

from icsite.compute.comparisons import Comparisons
from icsite.compute.derived import derive
from icsite.compute.trends import CANNOT, NO_YEAR_ON
from icsite.core.display import Link
from icsite.core.formatting import is_missing, long_date, number
from icsite.inputs.model import SiteData
from icsite.inputs.stories import Story
from icsite.pages.glossary import glossary_from

SUCCESSION_NOTES = {"code_change": "same board, new ONS code", "merger": "merged", "split": "part of its area",
                    "boundary_change": "boundary change"}


def indicator_slug(ind_id: str) -> str:
    """URL slug of an indicator: its id with hyphens."""
    return ind_id.replace("_", "-")


class SiteIndex:
    """Everything a page builder reads, each table grouped once by the key pages look it up by."""

    def __init__(self, data: SiteData, comp: Comparisons, downloads: dict[str, list[Link]], images: str = "all",
                 packs: bool = True, pdf: bool = False):
        self.data, self.comp, self.downloads = data, comp, downloads
        self.images = images  # which charts have a static image: the `images` setting (see pages.figures.place)
        self.packs, self.pdf = packs, packs and pdf  # peer-challenge packs (pages.pack) are made; and as PDFs
        self.glossary = glossary_from(data.pages)  # the glossary page's terms (None without one)
        self.areas, self.indicators = data.areas, data.indicators  # small tables: one row per area, per indicator
        self.area = data.areas.to_dict("index")  # code -> its registry row
        self.short_names = data.areas["short_name"].to_dict()
        self.slugs = data.areas["slug"].to_dict()
        self.ind = data.indicators.to_dict("index")  # a dict: a Series lookup per formatted value is slow
        self.domain_ids = {d: list(g.index) for d, g in data.indicators.groupby("domain", sort=False)}
        self.indicator_order = [i for ids in self.domain_ids.values() for i in ids]  # by theme
        values = comp.values  # read here only: pages take their slices from the tables below
        self.with_data = set(values.loc[values["area_type"] == "icb", "area_code"])  # ICBs with a profile
        self.value_count = int(values["value"].notna().sum())
        derived = derive(data, comp)
        self.latest, self.now, self.england_now = derived.latest, derived.now, derived.england_now
        self.history, self.periods = derived.history, derived.periods
        self.spread, self.recent = derived.spread, derived.recent
        self.layouts, self.line_codes, self.changes = derived.layouts, derived.line_codes, derived.changes
        t = comp.trends
        self.trend_texts = dict(zip(t.index, zip(t["trend"], t["trend_note"], t["improving"].astype(int))))
        self.trend_methods = trend_methods(t)
        self.index_successions(data.successions)
        self.index_places(data.places)
        self.index_stories(data.stories)

    def index_successions(self, s: pd.DataFrame) -> None:
        """Each code's successors and predecessors (sorted), each succession's kind, and the successions into a
        code (in the registry's order)."""
        self.successors: dict[str, list[str]] = {}
        self.predecessors: dict[str, list[str]] = {}
        self.kinds: dict[tuple[str, str], str] = {}
        self.into: dict[str, list[dict]] = {}
        for row in s.to_dict("records"):
            before, after = row["predecessor_code"], row["successor_code"]
            self.successors.setdefault(before, []).append(after)
            self.predecessors.setdefault(after, []).append(before)
            self.kinds.setdefault((before, after), row["kind"])
            self.into.setdefault(after, []).append(row)
        for table in (self.successors, self.predecessors):
            for code in table:
                table[code].sort()

    def index_places(self, places: pd.DataFrame) -> None:
        """Each board's districts from the newest map that names it ((name, covers only part), by name), and the
        vintages of the maps that name it."""
        self.places: dict[str, list[tuple[str, bool]]] = {}
        self.place_vintages: dict[str, set[str]] = {}
        rows: dict[str, list[tuple]] = {}
        for code, name, vintage, part in zip(places["icb_code"], places["place_name"], places["vintage"],
                                             places["part"]):
            rows.setdefault(code, []).append((name, vintage, part))
        for code, mine in rows.items():
            newest = max(vintage for _, vintage, _ in mine)
            self.place_vintages[code] = {vintage for _, vintage, _ in mine}
            self.places[code] = sorted((name, str(part).lower() == "true")
                                       for name, vintage, part in mine if vintage == newest)

    def index_stories(self, stories: list[Story]) -> None:
        """The improvement stories, by board and by (board, indicator), each list by address."""
        self.stories = stories
        self.board_stories: dict[str, list[Story]] = {}
        self.indicator_stories: dict[str, list[Story]] = {}
        self.work: dict[tuple[str, str], list[Story]] = {}  # (board, indicator) -> what the board did on it
        for story in stories:
            self.board_stories.setdefault(story.board, []).append(story)
            for ind_id in story.indicators:
                self.indicator_stories.setdefault(ind_id, []).append(story)
                self.work.setdefault((story.board, ind_id), []).append(story)

    # links
    def story_link(self, story: Story, note: str = "") -> Link:
        """A link to a story's page, titled so that an invented example says so."""
        return Link(story.label, f"{story.slug}/", note)

    def work_links(self, codes: list[str], ind_id: str) -> list[Link]:
        """Links to what each of `codes` did on the indicator (their stories naming it), noting whose it is."""
        return [self.story_link(s, self.short_names[c]) for c in dict.fromkeys(codes)
                for s in self.work.get((c, ind_id), [])]

    def area_link(self, code: str, note: str = "") -> Link:
        """A link to an area's profile (or just its name when it has no profile)."""
        href = f"ics/{self.slugs[code]}/" if code in self.with_data else ""
        return Link(self.short_names[code], href, note)

    def indicator_link(self, ind_id: str) -> Link:
        return Link(self.ind[ind_id]["title"], f"indicators/{indicator_slug(ind_id)}/")

    def succession_link(self, before: str, after: str, code: str) -> Link:
        """A link to `code` (one end of the succession `before` -> `after`), noting the succession's kind."""
        kind = self.kinds.get((before, after))
        return self.area_link(code, SUCCESSION_NOTES.get(kind, kind) if kind is not None else "")

    def on_spine(self, ind_id: str, row: dict | None) -> bool:
        """Whether a profile's spine chart shows an indicator's latest row: outside the context theme, with a value
        and a spread of ICB values in its period (profile.spine_figure; the pack describes the same chart)."""
        return (row is not None and self.ind[ind_id]["domain"] != "context" and not is_missing(row["value"])
                and (ind_id, row["period"]) in self.spread)

    # what an area is
    def region_name(self, code: str) -> str:
        parent = self.area[code]["parent_code"]
        return "" if is_missing(parent) else self.short_names[parent]

    def place_names(self, code: str) -> list[str]:
        """The districts a board covers, by name: "Leeds", "North Yorkshire (part)"."""
        return [f"{n} (part)" if part else n for n, part in self.places.get(code, [])]

    def validity_text(self, code: str) -> str:
        """When a code was valid, briefly: "to 31 March 2026", "from 1 April 2026"."""
        a = self.area[code]
        return f"to {long_date(a['valid_to'])}" if not a["current"] else f"from {long_date(a['valid_from'])}"

    def trend_of(self, ind_id: str, code: str) -> str:
        """The direction of travel's label ("Increasing and getting better", "Similar to a year earlier")."""
        return self.trend_entry(ind_id, code)[0]

    def trend_entry(self, ind_id: str, code: str) -> tuple[str, str, int]:
        """(label, why it cannot be given or is not significant, 1 improving / -1 worsening / 0)."""
        return self.trend_texts.get((ind_id, code), (CANNOT, "The system has no values.", 0))

    # formatting helpers bound to an indicator
    @staticmethod
    def fmt(value, ind) -> str:
        """A value with its unit ("74.1%"), or an en dash; the hottest function of the build, so written out."""
        if value is None or value is pd.NA or value != value:  # missing (value != value: NaN)
            return "–"
        text = f"{float(value):,.{int(ind['decimals'])}f}"
        unit = ind["unit"]
        return f"{text}%" if unit == "%" else f"{text} {unit}" if unit else text

    @staticmethod
    def fmt_n(value, ind) -> str:
        return number(value, int(ind["decimals"]))


def trend_methods(trends: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Per indicator, the direction-of-travel method most of its series have ("" for none) and, when no series has a
    direction, the most common reason ("" otherwise), from one pass over the trends."""
    t = trends.reset_index(drop=True)
    method = t.groupby(["indicator_id", "trend_method"], sort=True).size().reset_index(name="n")
    method = method.sort_values(["indicator_id", "n"], ascending=[True, False], kind="stable").drop_duplicates(
        "indicator_id")
    none = t["trend"].isin([CANNOT, NO_YEAR_ON])  # series with no direction of travel
    notes = t[none]
    note = notes.groupby(["indicator_id", "trend_note"], sort=True).size().reset_index(name="n")
    note = note.sort_values(["indicator_id", "n"], ascending=[True, False], kind="stable").drop_duplicates(
        "indicator_id")
    usable = set(t.loc[~none, "indicator_id"])
    common = {i: n for i, n in zip(note["indicator_id"], note["trend_note"]) if i not in usable}
    return {i: (m, common.get(i, "")) for i, m in zip(method["indicator_id"], method["trend_method"])}

