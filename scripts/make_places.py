"""Build the place lookup behind "find your ICS" (datapackages/areas/places-lookup/) from the reference extracts.

Usage: python scripts/make_places.py [--reference DIR]

Reads ../shared/reference/places/ (the ONS Postcode Directory by postcode district, and OS Open Names' populated
places, each with its 2025 local authority district) and the repository's datapackages/areas/places.csv (which
councils the newest board map splits), and writes two small CSV files and a descriptor that says where they come
from. The build reads only these shipped files. Deterministic: the same inputs always give byte-identical output.
"""
import argparse
import csv
from pathlib import Path

from package_io import write_csv, write_json

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "datapackages" / "areas" / "places-lookup"
#: 2025 district codes that the area registry's places.csv still gives under their earlier code
REGISTRY_CODE = {"E08000038": "E08000016", "E08000039": "E08000019"}  # Barnsley, Sheffield (April 2023 changes)
TYPES = {"City": "city", "Town": "town", "Suburban Area": "suburb", "Village": "village", "Hamlet": "hamlet",
         "Other Settlement": "settlement"}
RANK = {t: i for i, t in enumerate(TYPES.values())}
SETTLEMENT_FIELDS = ["name", "type", "lad_code", "postcode_district", "district_2017"]
DISTRICT_FIELDS = ["district", "lad_shares"]
ATTRIBUTION = ("Contains OS data (c) Crown copyright and database right 2025; Contains Royal Mail data (c) Royal Mail "
               "copyright and database right 2025; Source: Office for National Statistics licensed under the Open "
               "Government Licence v3.0.")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=str(ROOT / ".." / "shared" / "reference"))
    args = parser.parse_args()
    ref = Path(args.reference) / "places"
    registry = read_csv(ROOT / "datapackages" / "areas" / "places.csv")
    known = {r["place_code"] for r in registry}
    newest = max(r["vintage"] for r in registry)
    split = {r["place_code"] for r in registry if r["vintage"] == newest and r["part"] == "true"}
    settlements = build_settlements(read_csv(ref / "england_places_os_open_names_lad25.csv"), known, split)
    districts = build_districts(read_csv(ref / "england_postcode_districts_lad25.csv"), known)
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "settlements.csv", SETTLEMENT_FIELDS, settlements)
    write_csv(OUT / "postcode_districts.csv", DISTRICT_FIELDS, districts)
    write_json(OUT / "datapackage.json", descriptor(len(settlements), len(districts)))
    print(f"settlements: {len(settlements)} rows, postcode districts: {len(districts)} rows -> {OUT}")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def registry_code(code, known):
    code = REGISTRY_CODE.get(code, code)
    if code not in known:
        raise SystemExit(f"{code}: a district the area registry (datapackages/areas/places.csv) does not know")
    return code


def build_settlements(rows, known, split):
    """One row per place name and council (the most important type kept when OS has several), sorted by name."""
    best = {}
    for r in rows:
        code = registry_code(r["lad25cd"], known)
        row = {"name": r["name"].strip(), "type": TYPES[r["type"]], "lad_code": code,
               "postcode_district": r["os_postcode_district"].strip(),
               # the pre-2019 district tells which board a place of a council split between boards is in
               "district_2017": r["os_district_borough_2017"].strip() if code in split else ""}
        key = (row["name"].casefold(), code)
        if key not in best or RANK[row["type"]] < RANK[best[key]["type"]]:
            best[key] = row
    return sorted(best.values(), key=lambda r: (r["name"].casefold(), RANK[r["type"]], r["lad_code"]))


def build_districts(rows, known):
    """One row per postcode district: each English council it touches, with its share of the live postcodes."""
    out = []
    for r in rows:
        shares = []
        for part in r["all_lads"].split(";"):
            code, _, share = part.split("|")
            if code.startswith("E"):
                shares.append((registry_code(code, known), float(share)))
        if shares:
            shares.sort(key=lambda s: (-s[1], s[0]))
            out.append({"district": r["outcode"], "lad_shares": ";".join(f"{c}:{s:.3f}" for c, s in shares)})
    return sorted(out, key=lambda r: district_key(r["district"]))


def district_key(district):
    """LS1 < LS2 < LS10 < W1A: by postcode area (the leading letters), then the district's number."""
    letters = len(district) - len(district.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    area, rest = district[:letters], district[letters:]
    digits = rest[:len(rest) - len(rest.lstrip("0123456789"))]
    return (area, int(digits or 0), district)


def descriptor(n_settlements, n_districts):
    return {
        "name": "places-lookup",
        "title": "Places and postcode districts to local authority districts, for finding an ICS",
        "description": ("The populated places of OS Open Names (cities, towns, suburbs, villages, hamlets and other "
                        "settlements, extract of about 2017-2019) and the postcode districts of the ONS Postcode "
                        "Directory (November 2025, postcodes live in February 2025), each with its current (2025) "
                        "local authority district, as the codes of datapackages/areas/places.csv. A place keeps one "
                        "row per name and council. Made by scripts/make_places.py from ../shared/reference/places/; "
                        "the site maps each district to its board with places.csv. " + ATTRIBUTION),
        "attribution": ATTRIBUTION,
        "licenses": [{"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0",
                      "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}],
        "sources": [
            {"title": "Ordnance Survey: OS Open Names, populated places (OS OpenData, Open Government Licence v3.0)",
             "path": "https://www.ordnancesurvey.co.uk/products/os-open-names"},
            {"title": "Office for National Statistics: ONS Postcode Directory, November 2025 (Open Government "
                      "Licence v3.0; contains Royal Mail data)", "path": "https://geoportal.statistics.gov.uk/"},
        ],
        "resources": [
            {"name": "settlements", "path": "settlements.csv", "format": "csv", "encoding": "utf-8",
             "rows": n_settlements, "schema": {"fields": [
                 {"name": "name", "type": "string", "description": "The place's name in OS Open Names"},
                 {"name": "type", "type": "string", "description": "city, town, suburb, village, hamlet, settlement"},
                 {"name": "lad_code", "type": "string",
                  "description": "Its local authority district (places.csv code)"},
                 {"name": "postcode_district", "type": "string", "description": "OS's postcode district for it"},
                 {"name": "district_2017", "type": "string",
                  "description": "Its district before 2019 (only where the newest board map splits its council)"}]}},
            {"name": "postcode_districts", "path": "postcode_districts.csv", "format": "csv", "encoding": "utf-8",
             "rows": n_districts, "schema": {"fields": [
                 {"name": "district", "type": "string", "description": "Outward code, e.g. LS1"},
                 {"name": "lad_shares", "type": "string",
                  "description": "code:share;... every English district it touches, share of its live postcodes"}]}},
        ],
    }


if __name__ == "__main__":
    main()
