"""Build the area registry data package (datapackages/areas/) from the reference facts.

Usage: python scripts/make_areas.py [--reference DIR]

Deterministic: the same reference files always give byte-identical output.
Real facts only (ONS / NHS England ODS, Open Government Licence v3.0).
"""
import argparse
import csv
import re
from pathlib import Path
from package_io import field, write_csv, write_json

from icsite.core.standard import ENGLAND, OGL, OGL_TITLE  # noqa: E402 (package_io puts the repo on the path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "datapackages" / "areas"
CREATED = "2026-11-26T00:00:00Z"
REGION_FROM = "2020-04-01"
ICB_FROM = "2022-07-01"
CODE_CHANGE_DATE = "2023-04-01"
CLOSE_2026 = "2026-03-31"
OPEN_2026 = "2026-04-01"
HAMPSHIRE_OLD, HAMPSHIRE_NEW, FRIMLEY_ODS = "E54000042", "E54000067", "QNQ"
AREA_FIELDS = ["code", "ods_code", "type", "name", "short_name", "slug", "parent_code",
               "valid_from", "valid_to", "lat", "long", "code_note", "figures_from"]
#: the first day of the earliest period published on the boundaries of England, the 2020 NHS England regions and
#: the 2022 boards, before they existed: OHID Fingertips publishes ICB and region figures back to 2010/11 (indicator
#: 92477 in ../shared/reference/real/, for example)
FIGURES_FROM = "2010-04-01"
SUCC_FIELDS = ["predecessor_code", "successor_code", "date", "kind", "note"]
PLACE_FIELDS = ["place_code", "place_name", "place_type", "icb_code", "vintage", "part", "population_share"]


def main():
    """Read the reference CSVs, build the rows and write the package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=str(ROOT / ".." / "shared" / "reference"))
    args = parser.parse_args()
    ref = Path(args.reference)
    icbs22 = read_csv(ref / "icbs-2022.csv")
    icbs26 = read_csv(ref / "icbs-2026.csv")
    areas = build_areas(icbs22, icbs26)
    successions = build_successions(icbs22, icbs26)
    add_slugs(areas)
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "areas.csv", AREA_FIELDS, sorted(areas, key=lambda r: r["code"]))
    write_csv(OUT / "successions.csv", SUCC_FIELDS,
              sorted(successions, key=lambda r: (r["predecessor_code"], r["successor_code"])))
    places = build_places(ref, {a["code"] for a in areas})
    write_csv(OUT / "places.csv", PLACE_FIELDS, places)
    write_json(OUT / "datapackage.json", descriptor())
    print(f"areas: {len(areas)} rows, successions: {len(successions)} rows, places: {len(places)} rows -> {OUT}")


def build_places(ref, codes):
    """Local authority districts and the boards covering them, for each vintage of the map.

    2022: the July 2022 boards (42, with their first ONS codes); 2024: the April 2024 districts and the boards of
    2023-2026 (with the codes of April 2023); 2026: the 2024 map relabelled with the April 2026 boards (derived, not
    an ONS lookup: approximate). A district split between boards appears once per board, with `part` = true.
    """
    rows = []
    for r in read_csv(ref / "la-to-icb.csv"):
        rows.append({"vintage": r["vintage"], **place(r)})
    for r in read_csv(ref / "la-to-icb-2026-derived.csv"):
        rows.append({"vintage": "2026 (derived)", **place(r)})
    missing = {r["icb_code"] for r in rows} - codes
    assert not missing, f"places name boards not in the registry: {sorted(missing)}"
    rows.sort(key=lambda r: (r["vintage"], r["place_name"], r["icb_code"]))
    return [{k: r[k] for k in PLACE_FIELDS} for r in rows]


def place(r):
    return {"place_code": r["lad_code"], "place_name": r["lad_name"], "place_type": "local authority district",
            "icb_code": r["icb_ons_code"], "part": "true" if r["split"] == "yes" else "false",
            "population_share": r["population_share"]}


def read_csv(path):
    """Read a CSV file into a list of dicts."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def area(code, ods, kind, name, short, parent, valid_from, valid_to="", lat="", long="", note="", figures_from=""):
    """Make one area row."""
    return {"code": code, "ods_code": ods, "type": kind, "name": name, "short_name": short,
            "slug": "", "parent_code": parent, "valid_from": valid_from, "valid_to": valid_to,
            "lat": lat, "long": long, "code_note": note, "figures_from": figures_from}


def icb_name(short):
    """Official board name from the short name."""
    return f"NHS {short} Integrated Care Board"


def build_areas(icbs22, icbs26):
    """England, the seven NHS England regions and every ICB geography since July 2022."""
    rows = [area(ENGLAND, "", "country", "England", "England", "", REGION_FROM, figures_from=FIGURES_FROM)]
    regions = {}
    for r in icbs22:
        regions[r["region_ons_code"]] = (r["region_ods_code"], r["region_name"])
    for code, (ods, name) in sorted(regions.items()):
        rows.append(area(code, ods, "region", name, name, ENGLAND, REGION_FROM, figures_from=FIGURES_FROM))
    for r in icbs22:
        short, code23, code22 = r["name"], r["ons_code_2023"], r["ons_code_2022"]
        valid_to = CLOSE_2026 if (r["valid_to"] or code23 == HAMPSHIRE_OLD) else ""
        valid_from = ICB_FROM
        if code22 != code23:
            valid_from = CODE_CHANGE_DATE
            rows.append(area(code22, r["ods_code"], "icb", icb_name(short), short,
                             r["region_ons_code"], ICB_FROM, "2023-03-31", r["lat"], r["long"],
                             f"July 2022 ONS code, replaced by {code23} on {CODE_CHANGE_DATE}", FIGURES_FROM))
        note = f"ONS code from April 2023 (was {code22})" if code22 != code23 else ""
        rows.append(area(code23, r["ods_code"], "icb", icb_name(short), short,
                         r["region_ons_code"], valid_from, valid_to, r["lat"], r["long"], note, FIGURES_FROM))
    for r in icbs26:
        if r["change"].startswith("unchanged"):
            continue
        rows.append(area(r["ons_code"], r["ods_code"], "icb", icb_name(r["name"]), r["name"],
                         r["region_ons_code"], OPEN_2026, "", "", "", r["code_certainty"]))
    return rows


def build_successions(icbs22, icbs26):
    """Code changes (2023), mergers, splits and the Hampshire boundary change (2026)."""
    ods26 = {r["ods_code"]: r for r in icbs26}
    rows = []
    for r in icbs22:
        if r["ons_code_2022"] != r["ons_code_2023"]:
            rows.append(succ(r["ons_code_2022"], r["ons_code_2023"], CODE_CHANGE_DATE, "code_change",
                             f"{r['name']} (ODS {r['ods_code']}) took a new ONS code; same board, "
                             "series continue"))
        successors = r["successor_ods_codes"].split()
        if r["ods_code"] == FRIMLEY_ODS:
            successors.append(ods26["QRL"]["ods_code"])
        for s in successors:
            new = ods26[s]
            new_code = HAMPSHIRE_NEW if s == "QRL" else new["ons_code"]
            if len(successors) == 1:
                kind, how = "merger", "whole area"
            else:
                kind, how = "split", "part of its area"
            rows.append(succ(r["ons_code_2023"], new_code, OPEN_2026, kind,
                             f"{r['name']} ({r['ods_code']}) closed {CLOSE_2026}; {how} "
                             f"went to {new['name']} ({s})"))
    rows.append(succ(HAMPSHIRE_OLD, HAMPSHIRE_NEW, OPEN_2026, "boundary_change",
                     "Hampshire and Isle of Wight (QRL) continues with part of Frimley added "
                     "and a new ONS code"))
    return rows


def succ(pred, new, date, kind, note):
    """Make one succession row."""
    return {"predecessor_code": pred, "successor_code": new, "date": date, "kind": kind, "note": note}


def slugify(text):
    """Lower-case, hyphen-separated URL slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def add_slugs(rows):
    """Slug = slugified short name; older rows sharing a short name get -<code> appended."""
    by_name = {}
    for r in rows:
        by_name.setdefault(r["short_name"], []).append(r)
    for group in by_name.values():
        group.sort(key=lambda r: r["valid_from"])
        for i, r in enumerate(group):
            base = slugify(r["short_name"])
            r["slug"] = base if i == len(group) - 1 else f"{base}-{r['code'].lower()}"


CODE = r"E(92|40|54)[0-9]{6}"


def descriptor():
    """The datapackage.json descriptor."""
    areas_schema = {
        "fields": [
            field("code", "string", "ONS code, the key", required=True, unique=True, pattern=CODE),
            field("ods_code", "string", "NHS ODS code (empty for England)"),
            field("type", "string", "Kind of area", required=True, enum=["country", "region", "icb"]),
            field("name", "string", "Official name", required=True),
            field("short_name", "string", "Name people use", required=True),
            field("slug", "string", "URL slug: slugified short name; older rows sharing a short "
                  "name get -<code> appended", required=True, unique=True, pattern="[a-z0-9-]+"),
            field("parent_code", "string", "Region for an ICB, England for a region", pattern=CODE),
            field("valid_from", "date", "First day the area (with this code) existed", required=True),
            field("valid_to", "date", "Last day the area existed; empty = still current"),
            field("lat", "number", "Latitude of the ONS label point (where known)",
                  minimum=49, maximum=56),
            field("long", "number", "Longitude of the ONS label point (where known)",
                  minimum=-7, maximum=2),
            field("code_note", "string", "Note about the code, e.g. its source"),
            field("figures_from", "date", "Optional: the first day of the earliest period for which figures are "
                  "published on this area's boundary before it existed (estimates on that boundary; values for "
                  "periods between this date and valid_from are accepted and labelled so)"),
        ],
        "missingValues": [""],
        "primaryKey": ["code"],
        "foreignKeys": [{"fields": ["parent_code"], "reference": {"resource": "", "fields": ["code"]}}],
    }
    succ_schema = {
        "fields": [
            field("predecessor_code", "string", "The area before the change", required=True,
                  pattern=CODE),
            field("successor_code", "string", "The area after the change", required=True,
                  pattern=CODE),
            field("date", "date", "The day the successor took effect", required=True),
            field("kind", "string", "code_change: same board, new ONS code (series continue); "
                  "merger: whole board into a new one; split: part of a board; boundary_change: "
                  "board continues with a changed area and new code", required=True,
                  enum=["code_change", "merger", "split", "boundary_change"]),
            field("note", "string", "Plain-English note"),
        ],
        "missingValues": [""],
        "primaryKey": ["predecessor_code", "successor_code"],
        "foreignKeys": [
            {"fields": ["predecessor_code"], "reference": {"resource": "areas", "fields": ["code"]}},
            {"fields": ["successor_code"], "reference": {"resource": "areas", "fields": ["code"]}},
        ],
    }
    places_schema = {
        "fields": [
            field("place_code", "string", "ONS code of the local authority district", required=True,
                  pattern="E0[6-9][0-9]{6}"),
            field("place_name", "string", "Name of the local authority district", required=True),
            field("place_type", "string", "Kind of place", required=True, enum=["local authority district"]),
            field("icb_code", "string", "The board covering the place (or part of it)", required=True,
                  pattern=CODE),
            field("vintage", "string", "Which map: 2022 (July 2022 boards), 2024 (April 2024 districts, boards "
                  "of 2023-2026) or 2026 (derived) (the 2024 map relabelled with the April 2026 boards: "
                  "approximate)", required=True, enum=["2022", "2024", "2026 (derived)"]),
            field("part", "boolean", "The district is split between boards; this board covers part of it",
                  required=True),
            field("population_share", "number", "Share of the district's population in this board",
                  minimum=0, maximum=1),
        ],
        "missingValues": [""],
        "primaryKey": ["place_code", "icb_code", "vintage"],
        "foreignKeys": [{"fields": ["icb_code"], "reference": {"resource": "areas", "fields": ["code"]}}],
    }
    return {
        "profile": "tabular-data-package",
        "name": "areas",
        "title": "Areas: England, NHS England regions and Integrated Care Boards",
        "description": "Registry of the areas the site reports on: England, the seven NHS England "
                       "regions and every Integrated Care Board geography since 1 July 2022 (42 "
                       "boards, 36 from 1 April 2026), with validity dates, successions and the local "
                       "authority districts each board covers. Real facts only. Generated by scripts/make_areas.py.",
        "version": "1.1.0",
        "created": CREATED,
        "licenses": [OGL],
        "sources": [
            {"title": "Office for National Statistics: ICB and NHS England region names and codes, "
                      f"ICB label points ({OGL_TITLE})",
             "path": "https://geoportal.statistics.gov.uk/"},
            {"title": "NHS England Organisation Data Service: ICB and region ODS codes, board "
                      f"closures and successors ({OGL_TITLE})",
             "path": "https://digital.nhs.uk/services/organisation-data-service"},
            {"title": "Office for National Statistics: local authority district to ICB lookups, July 2022 and "
                      "April 2024, aggregated from the LSOA to ICB lookups; population shares from mid-2020 "
                      f"estimates and Census 2021 ({OGL_TITLE}). The 2026 places are derived: "
                      "the April 2024 map relabelled with the April 2026 boards",
             "path": "https://geoportal.statistics.gov.uk/"},
            {"title": "The new April 2026 ONS codes (E54000065 to E54000071) come from a secondary "
                      "source and are marked in code_note; verify against ONS"},
        ],
        "resources": [
            {"name": "areas", "path": "areas.csv", "profile": "tabular-data-resource",
             "title": "Areas", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": areas_schema},
            {"name": "successions", "path": "successions.csv", "profile": "tabular-data-resource",
             "title": "Successions between areas", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "schema": succ_schema},
            {"name": "places", "path": "places.csv", "profile": "tabular-data-resource",
             "title": "Local authority districts covered by each board", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "schema": places_schema},
        ],
    }


if __name__ == "__main__":
    main()
