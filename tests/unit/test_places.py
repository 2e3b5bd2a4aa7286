"""Find your ICS from where you live: the shipped place lookup (scripts/make_places.py), reading it
(inputs.places, with located problems), and what pages.places makes of it with the board map (places.csv)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from icsite.core.display import Link
from icsite.core.problems import BuildFailed
from icsite.inputs.load import read_package
from icsite.inputs.model import canonical_areas
from icsite.inputs.places import FOLDER, read_lookup
from icsite.pages.places import PlaceFinder, council_name, place_key, postcode_area, row_html, share_text

ROOT = Path(__file__).resolve().parents[2]
AREAS = ROOT / "datapackages" / "areas"
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"


def shipped_index() -> SimpleNamespace:
    """What PlaceFinder reads of a SiteIndex, from the shipped area registry alone (every board with a profile)."""
    source = read_package(AREAS)
    areas = canonical_areas(source.tables["areas"])
    places = source.tables["places"].astype({"vintage": str})
    area = areas.to_dict("index")
    short, slugs = areas["short_name"].to_dict(), areas["slug"].to_dict()
    data = SimpleNamespace(places=places, packages=[SimpleNamespace(name="areas", path=AREAS)])
    return SimpleNamespace(data=data, area=area, short_names=short,
                           area_link=lambda code: Link(short[code], f"ics/{slugs[code]}/"))


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    ix = shipped_index()
    places = ix.data.places
    newest = set(places.loc[places["vintage"] == max(places["vintage"]), "place_code"])
    lookup = read_lookup(AREAS, newest)
    assert lookup is not None
    return PlaceFinder(ix, lookup)


def rows_named(finder: PlaceFinder, name: str) -> list:
    return [r for rows in finder.place_rows().values() for r in rows if r.name == name]


def boards(row) -> list[str]:
    return [b.link.href for part in row.parts for b in part.boards]


def test_names_fold_to_their_group():
    assert [place_key(n) for n in ("Truro", "St Ives", "Ōxford", "Aaron's Hill", "&c")] == ["tr", "st", "ox", "aa",
                                                                                             "an"]
    assert postcode_area("LS17") == "LS" and postcode_area("B1") == "B"
    assert [share_text(s) for s in (0.9075, 0.004, 1.0)] == ["91%", "under 1%", "100%"]
    assert council_name("Bristol, City of") == "City of Bristol" and council_name("Leeds") == "Leeds"


def test_the_shipped_lookup_is_described_and_attributed():
    descriptor = json.loads((AREAS / FOLDER / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        lines = (AREAS / FOLDER / resource["path"]).read_text(encoding="utf-8").splitlines()
        assert len(lines) - 1 == resource["rows"]
        assert lines[0].split(",") == [f["name"] for f in resource["schema"]["fields"]]
    assert "Contains OS data" in descriptor["attribution"] and "Royal Mail" in descriptor["attribution"]
    assert "Ordnance Survey" in json.dumps(descriptor["sources"]) and "Postcode Directory" in descriptor["description"]


def test_the_six_queries_lead_to_the_right_board(finder):
    (truro,) = [r for r in rows_named(finder, "Truro")]
    assert boards(truro) == ["ics/cornwall-and-the-isles-of-scilly/"]
    (harrogate,) = [r for r in rows_named(finder, "Harrogate") if r.kind.startswith("town")]
    assert boards(harrogate) == ["ics/humber-and-north-yorkshire/"]  # its former district, not all of North Yorkshire
    assert "split between 3 ICSs" in harrogate.parts[0].note
    (guildford,) = [r for r in rows_named(finder, "Guildford") if r.kind.startswith("town")]
    part = guildford.parts[0]
    assert [b.link.href for b in part.boards] == ["ics/surrey-and-sussex/"]  # the current board first
    assert [(b.link.text, b.closed, b.share) for b in part.before] == [
        ("Surrey Heartlands", "closed 31 March 2026", "86%"), ("Frimley", "closed 31 March 2026", "14%")]
    ls = {r.name: r for r in finder.district_rows()["LS"]}
    assert [p.council for p in ls["LS1"].parts] == ["Leeds"] and boards(ls["LS1"]) == ["ics/west-yorkshire/"]
    assert [(p.council, p.share) for p in ls["LS17"].parts] == [("Leeds", "93%"), ("North Yorkshire", "7%")]
    leeds = {r.kind: boards(r) for r in rows_named(finder, "Leeds")}  # a choice: the city and the Kent village
    assert leeds == {"city, LS1": ["ics/west-yorkshire/"], "village, ME17": ["ics/kent-and-medway/"]}
    councils = {finder.names[c]: finder.coverage[c] for c in finder.council_order}
    assert [b.link.href for b in councils["Leeds"].boards] == ["ics/west-yorkshire/"]
    assert "City of Bristol" in councils and "Harrogate" not in councils  # councils of the newest map only


def test_a_split_council_lists_each_board_with_its_share(finder):
    coverage = finder.coverage["E06000065"]  # North Yorkshire
    assert [(b.link.text, b.share) for b in coverage.boards] == [
        ("Humber and North Yorkshire", "91%"), ("West Yorkshire", "8%"), ("Lancashire and South Cumbria", "1%")]
    html = row_html(finder.place_rows()["ha"][0], "places/ha/")
    assert 'href="../../ics/' in html and "</li>" in html


def test_a_board_under_a_new_code_is_not_listed_as_an_earlier_one(finder):
    southampton = finder.coverage["E06000045"]
    assert [b.link.text for b in southampton.boards] == ["Hampshire and Isle of Wight"] and not southampton.before


def test_the_index_is_small_sharded_and_stable(finder):
    files = finder.index_files()
    assert files == finder.index_files()  # the same bytes every time
    index = json.loads(files["places/find/index.json"])
    assert len(files["places/find/index.json"]) < 20_000
    shards = {path: len(data) for path, data in files.items() if not path.endswith("index.json")}
    assert max(shards.values()) < 50_000 and len(shards) == len(index["shards"]) + len(index["areas"])
    truro = [e for e in json.loads(files["places/find/tr.json"]) if e[0] == "Truro"]
    assert [index["councils"][e[2]][0] for e in truro] == ["Cornwall"]
    ls = dict(json.loads(files["places/find/pc-ls.json"]))
    assert [index["councils"][at][0] for at, _ in ls["LS1"]] == ["Leeds"]


def test_without_a_lookup_there_is_nothing_to_read(tmp_path):
    assert read_lookup(tmp_path, set()) is None


def lookup_folder(tmp_path: Path, settlements: str, districts: str) -> Path:
    folder = tmp_path / "areas" / FOLDER
    folder.mkdir(parents=True)
    (folder / "settlements.csv").write_text(settlements, encoding="utf-8")
    (folder / "postcode_districts.csv").write_text(districts, encoding="utf-8")
    shutil.copy(AREAS / FOLDER / "datapackage.json", folder)
    return folder.parent


def test_problems_in_the_lookup_are_located(tmp_path):
    areas = lookup_folder(tmp_path, "name,type,lad_code,postcode_district,district_2017\n"
                                    "Truro,metropolis,E06000052,TR1,\nNowhere,town,E99999999,ZZ1,\n",
                          "district,lad_shares\nLS1,E08000035:1.000\nlS 1,E08000035:1.000\nLS2,E08000035\n")
    with pytest.raises(BuildFailed) as failed:
        read_lookup(areas, {"E06000052", "E08000035"})
    found = {(p.code, p.file.rsplit("/", 1)[1], p.row, p.field) for p in failed.value.problems}
    assert found == {("constraint-enum", "settlements.csv", 2, "type"),
                     ("reference-missing", "settlements.csv", 3, "lad_code"),
                     ("constraint-pattern", "postcode_districts.csv", 3, "district"),
                     ("constraint-pattern", "postcode_districts.csv", 4, "lad_shares")}
    assert all(p.hint and "make_places.py" in p.hint for p in failed.value.problems)


def test_a_build_with_a_broken_lookup_reports_it_and_exits_1(tmp_path):
    import build

    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    areas = site / "datapackages" / "areas"
    pd.DataFrame([("E07000110", "Maidstone", "local authority district", "E54000032", "2024", "false", 1.0)],
                 columns=["place_code", "place_name", "place_type", "icb_code", "vintage", "part",
                          "population_share"]).to_csv(areas / "places.csv", index=False)
    descriptor = json.loads((areas / "datapackage.json").read_text(encoding="utf-8"))
    if not any(r["name"] == "places" for r in descriptor["resources"]):
        shipped = json.loads((AREAS / "datapackage.json").read_text(encoding="utf-8"))["resources"]
        descriptor["resources"].append(next(r for r in shipped if r["name"] == "places"))
        (areas / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    lookup_folder(tmp_path / "x", "name,type,lad_code,postcode_district,district_2017\nLeeds,village,E07000110,ME17,\n"
                  "Leeds,city,E08000035,LS1,\n", "district,lad_shares\nME17,E07000110:1.000\n")
    shutil.copytree(tmp_path / "x" / "areas" / FOLDER, areas / FOLDER)
    for check in ([], ["--check"]):  # validation finds it: --check reports it too, and a build writes nothing
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = build.main(["--data", str(site / "datapackages"), "--content", str(site / "content"), "--out",
                                 str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "--images", "none",
                                 "--quiet", *check])
        report = out.getvalue() + err.getvalue()
        assert status == 1, report
        assert "areas/places-lookup/settlements.csv (1 problem(s))" in report
        assert "[reference-missing] row 3, field lad_code" in report and "Traceback" not in report
        assert not (tmp_path / "out").exists()
