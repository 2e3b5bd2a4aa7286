"""Find your ICS from where you live: the place lookup (`inputs.places`) joined with the board map (the registry's
places.csv), as pages that work without JavaScript and as the small sharded index the search page reads.

- `places/<xy>/`: every town, village, suburb, hamlet or other settlement whose name begins with the two letters
  xy, with its council and the ICS (or ICSs, with shares) covering it; `places/councils/`: every council;
  `postcodes/<area>/`: the postcode districts of one postcode area (LS: LS1 to LS29, each with its councils).
  The search page links every group, so any place is two steps from it.
- `places/find/`: the same facts as JSON for the search as you type: `index.json` (boards, councils, and which
  shards exist), one shard per first two letters of a name (`<xy>.json`) and one per postcode area
  (`pc-<area>.json`), each loaded only when a query needs it.

A council whose board changed lists the current board first, then the earlier ones, each closed board marked so.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup, escape

from icsite.core.display import Link
from icsite.core.formatting import long_date
from icsite.inputs.places import TYPES, PlaceLookup, Settlement, newest_districts, read_lookup
from icsite.pages.contexts import PlaceListPage
from icsite.pages.index import SiteIndex
from icsite.pages.render import relative_url

INDEX_FOLDER = "places/find/"
COUNCILS_PATH = "places/councils/"
BOARD_MAP = ("Councils and boards: Office for National Statistics, local authority district to ICB lookups (July "
             "2022, April 2024), under the Open Government Licence v3.0; the April 2026 boards are that map "
             "relabelled, not yet an ONS lookup.")


def place_key(name: str) -> str:
    """The first two letters of a name folded to a-z and 0-9 ("Ōxford" -> "ox", "St Ives" -> "st"): the group a
    place is listed in and the shard it is searched in. search.js folds queries the same way."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]+", "", folded)[:2] or "0"


def postcode_area(district: str) -> str:
    """The postcode area of a district: its leading letters (LS17 -> LS)."""
    return re.match(r"[A-Z]*", district)[0]


def council_name(name: str) -> str:
    """A council's name as people say it: "Bristol, City of" -> "City of Bristol"."""
    match = re.fullmatch(r"(.+), ((?:City|County) of)", name)
    return f"{match[2]} {match[1]}" if match else name


def share_text(share: float) -> str:
    """A share as people read it: "91%", "under 1%"."""
    return "under 1%" if share < 0.005 else f"{round(share * 100)}%"


@dataclass(frozen=True)
class BoardShare:
    """One board covering (part of) a council: its link, its share ("" for all of it) and "closed ..." or ""."""

    link: Link
    share: str
    closed: str


@dataclass(frozen=True)
class Coverage:
    """A council (or the part of one in a postcode district) and the boards covering it, current first."""

    council: str
    share: str  # the council's share of a postcode district ("" for a place, or a whole district)
    boards: tuple[BoardShare, ...]
    before: tuple[BoardShare, ...]  # boards that covered it before the newest map and no longer do
    note: str = ""  # "Harrogate is in the part of North Yorkshire that Humber and North Yorkshire covers"


@dataclass(frozen=True)
class PlaceRow:
    """One line of a list: a place, a council or a postcode district, and where it belongs."""

    name: str
    kind: str  # "town", "council", "postcode district", ...
    parts: tuple[Coverage, ...]
    anchor: str = ""  # the row's id on its page ("" for none)


def board_html(b: BoardShare, page_path: str) -> str:
    name = escape(b.link.text)
    out = f'<a href="{escape(relative_url(b.link.href, page_path))}">{name}</a>' if b.link.href else str(name)
    return out + (f" ({escape(b.closed)})" if b.closed else "") + (f" {escape(b.share)}" if b.share else "")


def row_html(row: PlaceRow, page_path: str) -> Markup:
    """A row as HTML (thousands to a page: written here, not a cell at a time in Jinja; links made relative to the
    page as the `url` filter makes them). search.js writes its results the same way."""
    anchor = f' id="{escape(row.anchor)}"' if row.anchor else ""
    out = [f'<li{anchor}><strong>{escape(row.name)}</strong> <span class="small">{escape(row.kind)}</span>']
    for i, part in enumerate(row.parts):
        out.append("; " if i else " · ")
        if row.kind != "council":
            out.append(f"{escape(part.council)} council" + (f" ({escape(part.share)})" if part.share else "") + ": ")
        out.append("ICS " + ", ".join(board_html(b, page_path) for b in part.boards))
        if part.before:
            out.append("; earlier " + ", ".join(board_html(b, page_path) for b in part.before))
        if part.note:
            out.append(f' <span class="small">({escape(part.note)})</span>')
    return Markup("".join(out) + "</li>")


class PlaceFinder:
    """The board map by council, and the lookup's places and postcode districts grouped as pages and shards."""

    def __init__(self, ix: SiteIndex, lookup: PlaceLookup):
        self.ix, self.lookup = ix, lookup
        places = ix.data.places
        vintages = sorted(set(places["vintage"]))
        newest, previous = vintages[-1], (vintages[-2] if len(vintages) > 1 else None)
        self.names: dict[str, str] = {}
        self.current: dict[str, list[tuple[str, float]]] = {}
        self.earlier: dict[str, list[tuple[str, float]]] = {}
        self.first_map: dict[str, set[str]] = {}  # the oldest map's districts by name: their boards
        for code, name, board, vintage, share in zip(places["place_code"], places["place_name"], places["icb_code"],
                                                     places["vintage"], places["population_share"]):
            share = float(share) if share == share else 1.0
            if vintage == newest:
                self.names[code] = council_name(name)
                self.current.setdefault(code, []).append((board, share))
            elif vintage == previous:
                self.earlier.setdefault(code, []).append((board, share))
            if vintage == vintages[0]:
                self.first_map.setdefault(name, set()).add(board)
        for table in (self.current, self.earlier):
            for code in table:
                table[code].sort(key=lambda b: (-b[1], ix.short_names.get(b[0], b[0]), b[0]))
        self.coverage = {code: self.council_coverage(code) for code in sorted(self.names)}
        self.council_order = sorted(self.names, key=lambda c: (self.names[c].casefold(), c))

    # --- what covers what ---------------------------------------------------------------------------------------
    def board(self, code: str, share: float | None) -> BoardShare:
        a = self.ix.area.get(code)
        link = self.ix.area_link(code) if a is not None else Link(code, "")
        closed = f"closed {long_date(a['valid_to'])}" if a is not None and not a["current"] else ""
        return BoardShare(link, "" if share is None else share_text(share), closed)

    def council_coverage(self, code: str) -> Coverage:
        now = self.current.get(code, [])
        whole = len(now) == 1
        boards = tuple(self.board(b, None if whole else s) for b, s in now)
        mine = {b for b, _ in now}
        # boards no longer covering it (not a board's earlier code: the current board's profile links that)
        names = {self.ix.short_names.get(b) for b in mine}
        gone = [(b, s) for b, s in self.earlier.get(code, [])
                if b not in mine and self.ix.short_names.get(b) not in names]
        before = tuple(self.board(b, None if len(self.earlier[code]) == 1 else s) for b, s in gone)
        return Coverage(self.names[code], "", boards, before)

    def place_coverage(self, place: Settlement) -> Coverage:
        """A place's council and boards; in a council the newest map splits, the board its district of 2017 was
        wholly in (when that board still covers part of the council) comes alone, with a note."""
        whole = self.coverage[place.lad_code]
        old = self.first_map.get(place.district_2017, set()) if place.district_2017 else set()
        if len(old) == 1 and len(whole.boards) > 1:
            (code,) = old
            if code in {b for b, _ in self.current[place.lad_code]}:
                note = (f"{whole.council} is split between {len(whole.boards)} ICSs; {place.name} is in the former "
                        f"{place.district_2017} district, which {self.ix.short_names.get(code, code)} covers")
                return Coverage(whole.council, "", (self.board(code, None),), whole.before, note)
        return whole

    # --- pages --------------------------------------------------------------------------------------------------
    def place_rows(self) -> dict[str, list[PlaceRow]]:
        """Every place, by the group (first two letters) it is listed in."""
        groups: dict[str, list[PlaceRow]] = {}
        for place in self.lookup.settlements:
            kind = f"{place.type}, {place.postcode_district}" if place.postcode_district else place.type
            groups.setdefault(place_key(place.name), []).append(
                PlaceRow(place.name, kind, (self.place_coverage(place),)))
        return dict(sorted(groups.items()))

    def district_rows(self) -> dict[str, list[PlaceRow]]:
        """Every postcode district, by postcode area."""
        areas: dict[str, list[PlaceRow]] = {}
        for district, shares in self.lookup.districts.items():
            parts = tuple(Coverage(self.names[code], "" if len(shares) == 1 else share_text(share),
                                   self.coverage[code].boards, self.coverage[code].before)
                          for code, share in shares)
            areas.setdefault(postcode_area(district), []).append(
                PlaceRow(district, "postcode district", parts, anchor=district.lower()))
        return dict(sorted(areas.items()))

    def pages(self) -> Iterator[PlaceListPage]:
        """The councils page, a page per group of places and a page per postcode area, one at a time."""
        note = self.lookup.attribution
        councils = [PlaceRow(self.names[c], "council", (self.coverage[c],), anchor=c.lower())
                    for c in self.council_order]
        yield PlaceListPage("places.html", COUNCILS_PATH, "Councils and their ICSs",
                            "Every council (local authority district) in England and the Integrated Care System "
                            "that covers it.", rows=[row_html(r, COUNCILS_PATH) for r in councils],
                            attribution=BOARD_MAP)
        places = self.place_rows()
        for key, rows in places.items():
            siblings = [Link(k.capitalize(), f"places/{k}/") for k in places if k[0] == key[0]]
            yield PlaceListPage(
                "places.html", f"places/{key}/", f"Places beginning {key.capitalize()}",
                f"Towns, villages and suburbs in England whose names begin {key.capitalize()}, with their council "
                "and Integrated Care System.", rows=[row_html(r, f"places/{key}/") for r in rows], siblings=siblings,
                attribution=note)
        districts = self.district_rows()
        for area, rows in districts.items():
            siblings = [Link(a, f"postcodes/{a.lower()}/") for a in districts if a[0] == area[0]]
            yield PlaceListPage(
                "places.html", f"postcodes/{area.lower()}/", f"Postcode area {area}",
                f"The postcode districts {rows[0].name} to {rows[-1].name}, each with its council and Integrated "
                "Care System.", rows=[row_html(r, f"postcodes/{area.lower()}/") for r in rows], siblings=siblings,
                attribution=note)

    def groups(self) -> tuple[list[tuple[str, list[Link]]], list[Link]]:
        """For the search page: the groups of places by first letter, and the postcode areas."""
        letters: dict[str, list[Link]] = {}
        for key in sorted({place_key(p.name) for p in self.lookup.settlements}):
            letters.setdefault(key[0].upper(), []).append(Link(key.capitalize(), f"places/{key}/"))
        areas = [Link(a, f"postcodes/{a.lower()}/") for a in sorted({postcode_area(d) for d in self.lookup.districts})]
        return sorted(letters.items()), areas

    # --- the index for the search as you type -------------------------------------------------------------------
    def index_files(self) -> dict[str, bytes]:
        """places/find/: index.json (boards, councils, which shards exist) and the shards, as compact JSON."""
        boards: dict[str, int] = {}

        def board(b: BoardShare) -> list:
            key = b.link.href or b.link.text
            if key not in boards:
                boards[key] = len(boards)
                board_rows.append([b.link.text, b.link.href, b.closed])
            return [boards[key], b.share] if b.share else [boards[key]]

        board_rows: list[list] = []
        council_at = {c: i for i, c in enumerate(self.council_order)}
        councils = [[self.names[c], [board(b) for b in self.coverage[c].boards],
                     [board(b) for b in self.coverage[c].before]] for c in self.council_order]
        files: dict[str, bytes] = {}
        shards: dict[str, list] = {}
        for place in self.lookup.settlements:
            entry = [place.name, TYPES.index(place.type), council_at[place.lad_code], place.postcode_district]
            cover = self.place_coverage(place)
            if cover is not self.coverage[place.lad_code]:
                entry += [board(cover.boards[0])[0], cover.note]
            shards.setdefault(place_key(place.name), []).append(entry)
        for key, entries in sorted(shards.items()):
            files[f"{INDEX_FOLDER}{key}.json"] = compact(entries)
        areas: dict[str, list] = {}
        for district, shares in self.lookup.districts.items():
            areas.setdefault(postcode_area(district), []).append(
                [district, [[council_at[c], "" if len(shares) == 1 else share_text(s)] for c, s in shares]])
        for area, entries in sorted(areas.items()):
            files[f"{INDEX_FOLDER}pc-{area.lower()}.json"] = compact(entries)
        files[f"{INDEX_FOLDER}index.json"] = compact({
            "types": TYPES, "boards": board_rows, "councils": councils, "shards": sorted(shards),
            "areas": sorted(a.lower() for a in areas), "attribution": self.lookup.attribution})
        return files


def compact(value) -> bytes:
    """JSON without spaces, in a stable order (the same data always gives the same bytes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def place_finder(ix: SiteIndex) -> PlaceFinder | None:
    """The finder over the area registry's place lookup, or None when the registry has none (or no board map)."""
    areas = next((p.path for p in ix.data.packages if p.name == "areas"), None)
    if areas is None or ix.data.places.empty:
        return None
    places = ix.data.places
    lookup = read_lookup(areas, newest_districts(places))
    return PlaceFinder(ix, lookup) if lookup is not None else None
