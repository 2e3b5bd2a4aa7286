"""The place lookup behind "find your ICS": towns, villages, suburbs and postcode districts to local authority
districts, read from the area registry's `places-lookup/` folder (made by scripts/make_places.py; see its
datapackage.json for the sources and attribution).

The lookup is optional: a data folder without it builds a site without place pages. A lookup that is there must be
right: each problem is located (file, row, field, hint) and stops the build.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from icsite.core.problems import BuildFailed, Problem
from icsite.inputs.checking import rel
from icsite.inputs.guard import MAX_DESCRIPTOR_BYTES, MAX_RESOURCE_BYTES, Refused, checked_file, read_checked, scan

FOLDER = "places-lookup"
SETTLEMENTS, DISTRICTS = "settlements.csv", "postcode_districts.csv"
SETTLEMENT_FIELDS = ["name", "type", "lad_code", "postcode_district", "district_2017"]
DISTRICT_FIELDS = ["district", "lad_shares"]
#: the kinds of place, most important first (results and lists show them in this order)
TYPES = ["city", "town", "suburb", "village", "hamlet", "settlement"]
DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")
SHARE = re.compile(r"(E[0-9]{8}):([01](?:\.[0-9]+)?)")
if TYPE_CHECKING:
    from icsite.inputs.load import Sources

HINT = "Regenerate the lookup with `python scripts/make_places.py` rather than editing it by hand."


@dataclass(frozen=True)
class Settlement:
    name: str
    type: str  # one of TYPES
    lad_code: str
    postcode_district: str
    district_2017: str  # its district before 2019, where the newest board map splits its council; else ""


@dataclass
class PlaceLookup:
    """The shipped lookup: places (sorted by name) and postcode districts (each with its councils' shares)."""

    settlements: list[Settlement] = field(default_factory=list)
    districts: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # LS17 -> [(code, share), ...]
    attribution: str = ""


def lookup_problems(sources: Sources, data_dir: Path) -> list[Problem]:
    """Every located problem of the area registry's place lookup, for the validation stage (`build.py --check`
    reports them as a build does); [] without a lookup."""
    areas = next((p for p in sources.packages if p.name == "areas"), None)
    places = areas.tables.get("places") if areas is not None else None
    if areas is None or places is None or "vintage" not in places or "place_code" not in places:
        return []
    try:
        read_lookup(areas.path, newest_districts(places), where=rel(areas.path / FOLDER, data_dir.parent))
    except BuildFailed as failed:
        return failed.problems
    return []


def newest_districts(places) -> set[str]:
    """The districts the area registry's newest board map (places.csv, its latest vintage) places: the councils a
    lookup row may name."""
    vintage = places["vintage"].astype(str)
    return set(places.loc[vintage == vintage.max(), "place_code"].astype(str))


def read_lookup(areas_folder: Path, known_codes: set[str], where: str = "") -> PlaceLookup | None:
    """The lookup in `areas_folder`/places-lookup/, or None when there is none; BuildFailed with every located
    problem when it is there but wrong (`known_codes`: the districts of the area registry's places table; `where`:
    the folder as problems name it)."""
    folder = areas_folder / FOLDER
    if not folder.is_dir():
        return None
    problems: list[Problem] = []
    where = where or f"{areas_folder.name}/{FOLDER}"
    rows = {name: read_rows(folder, name, columns, f"{where}/{name}", problems)
            for name, columns in ((SETTLEMENTS, SETTLEMENT_FIELDS), (DISTRICTS, DISTRICT_FIELDS))}
    lookup = PlaceLookup(attribution=attribution(folder))
    if not lookup.attribution:
        problems.append(Problem("descriptor-invalid", f"{where}/datapackage.json", field="attribution",
                                message="the lookup has no attribution to show with the places (its licence asks "
                                "for one)", hint=HINT))
    for line, row in rows[SETTLEMENTS]:
        file = f"{where}/{SETTLEMENTS}"
        if not row["name"].strip():
            problems.append(Problem("constraint-required", file, line, "name", "a place has no name", hint=HINT))
        elif row["type"] not in TYPES:
            problems.append(Problem("constraint-enum", file, line, "type", f"'{row['type']}' is not a kind of "
                                    "place", expected=", ".join(TYPES), found=row["type"], hint=HINT))
        elif row["lad_code"] not in known_codes:
            problems.append(unknown_code(file, line, "lad_code", row["lad_code"]))
        else:
            lookup.settlements.append(Settlement(row["name"].strip(), row["type"], row["lad_code"],
                                                 row["postcode_district"].strip(), row["district_2017"].strip()))
    for line, row in rows[DISTRICTS]:
        file = f"{where}/{DISTRICTS}"
        district, shares = row["district"], []
        for part in row["lad_shares"].split(";"):
            match = SHARE.fullmatch(part)
            if match is None:
                problems.append(Problem("constraint-pattern", file, line, "lad_shares", f"'{part}' is not "
                                        "code:share", expected="E06000052:1.000;...", found=part, hint=HINT))
                break
            if match[1] not in known_codes:
                problems.append(unknown_code(file, line, "lad_shares", match[1]))
                break
            shares.append((match[1], float(match[2])))
        if not DISTRICT.fullmatch(district):
            problems.append(Problem("constraint-pattern", file, line, "district", f"'{district}' is not a "
                                    "postcode district", expected="an outward code such as LS1 or SW1A",
                                    found=district, hint=HINT))
        elif district in lookup.districts:
            problems.append(Problem("constraint-unique", file, line, "district", f"'{district}' is given "
                                    "twice", found=district, hint=HINT))
        elif len(shares) == len(row["lad_shares"].split(";")):
            lookup.districts[district] = shares
    if problems:
        raise BuildFailed(problems)
    return lookup


def unknown_code(file: str, line: int, column: str, code: str) -> Problem:
    return Problem("reference-missing", file, line, column, f"'{code}' is not a district of the area "
                   "registry's places.csv", found=code, hint="Every district must be one the board map "
                   "(areas/places.csv) places. " + HINT)


def read_rows(folder: Path, name: str, columns: list[str], file: str,
              problems: list[Problem]) -> list[tuple[int, dict]]:
    """(line number, row) for each row of one CSV file of the lookup, read the guarded way; [] with a problem when
    the file is missing, refused or has other columns."""
    try:
        path = checked_file(folder, name, "resource-path-unsafe", "resource-missing", MAX_RESOURCE_BYTES)
        scan(path)
        text = read_checked(path, MAX_RESOURCE_BYTES).decode("utf-8")
    except Refused as refused:
        problems.append(Problem(refused.code, file, refused.line, message=refused.message, hint=HINT))
        return []
    except UnicodeDecodeError:
        problems.append(Problem("encoding-not-utf8", file, message="the file is not UTF-8 text", hint=HINT))
        return []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if header != columns:
        problems.append(Problem("column-missing", file, 1, message="the columns are not the lookup's",
                                expected=",".join(columns), found=",".join(header), hint=HINT))
        return []
    out = []
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(columns):
            problems.append(Problem("missing-cell" if len(cells) < len(columns) else "extra-cell", file, line,
                                    message=f"{len(cells)} cells, not {len(columns)}", hint=HINT))
            continue
        out.append((line, dict(zip(columns, cells))))
    return out


def attribution(folder: Path) -> str:
    """The attribution the lookup's descriptor asks for ("" without one)."""
    try:
        path = checked_file(folder, "datapackage.json", "package-path-unsafe", "package-descriptor-missing",
                            MAX_DESCRIPTOR_BYTES)
        descriptor = json.loads(read_checked(path, MAX_DESCRIPTOR_BYTES).decode("utf-8"))
    except (Refused, ValueError, UnicodeDecodeError):
        return ""
    text = descriptor.get("attribution") if isinstance(descriptor, dict) else None
    return text if isinstance(text, str) else ""
