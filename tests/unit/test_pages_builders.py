"""pages: the page builders return finished contexts, from a small model (the fixture site with context measures).

The model: Kent and Medway and Hampshire and Isle of Wight (whose board changed its boundary, and its ONS code, on
1 April 2026: a closed board E54000042 and its successor E54000067), with A&E and ambulance indicators and the two
context measures peers are found by. Kent is worse than England on A&E in June 2026 and its peer (the new
Hampshire board) is better, so Kent has something to learn.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from icsite.compute.comparisons import compute
from icsite.core.config import load_config
from icsite.core.display import Link
from icsite.inputs.load import load
from icsite.inputs.model import build_model
from icsite.pages.builder import PageBuilder
from icsite.pages.contexts import (ComparePage, ContentPage, HomePage, IndicatorPage, ProfilePage, SearchPage,
                                   SideBySidePage)
from icsite.pages.embed import embed_pages
from icsite.pages.figures import page_charts

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site-small"
KENT, OLD_HIOW, NEW_HIOW = "E54000032", "E54000042", "E54000067"
AE_TITLE = "A&E: % of attendances admitted, transferred or discharged within 4 hours (all types)"
CONTEXT = [  # id, title, unit, value type, decimals, values by board
    ("registered_population", "Registered population", "people", "count", 0,
     {KENT: 1_950_000, OLD_HIOW: 1_850_000, NEW_HIOW: 2_010_000}),
    ("imd_score", "Deprivation score (IMD 2025)", "score", "mean", 1, {KENT: 21.5, OLD_HIOW: 14.2, NEW_HIOW: 15.0}),
]
PLACES = pd.DataFrame(  # Kent on two maps (only the newest counts); the new Hampshire board on the 2026 relabelling
    [("E1", "Old Place", "E10", KENT, "2022", "false"), ("E2", "Maidstone", "E10", KENT, "2024", "false"),
     ("E3", "Ashford", "E10", KENT, "2024", "true"), ("E4", "Winchester", "E10", NEW_HIOW, "2026", "false")],
    columns=["place_code", "place_name", "place_type", "icb_code", "vintage", "part"])
DOWNLOADS = {f"ics/{KENT}": [Link("kent-and-medway.csv", "ics/kent-and-medway/kent-and-medway.csv")],
             "indicators/ae_4hr": [Link("ae_4hr.csv", "indicators/ae-4hr/ae_4hr.csv")],
             "urgent-care-sample": [Link("urgent-care-sample.zip", "data/urgent-care-sample/x.zip")]}


def small_site(folder: Path, context: list = CONTEXT) -> Path:
    """The fixture site, with registered population and deprivation for each board (so boards have peers); or with
    `context`, rows of the same shape as CONTEXT."""
    shutil.copytree(FIXTURE, folder)
    package = folder / "datapackages" / "urgent-care-sample"
    with open(package / "indicators.csv", "a", newline="", encoding="utf-8") as f:
        for ind, title, unit, kind, decimals, _ in context:
            csv.writer(f, lineterminator="\n").writerow(
                [ind, title, title, "context", unit, "no_judgement", kind, 1, decimals, f"{title}.", "Test source",
                 "annual", "", "", "true", ""])
    with open(package / "values.csv", "a", newline="", encoding="utf-8") as f:
        for ind, *_, values in context:
            for code, value in values.items():
                period = ("2025", "2025-01-01", "2025-12-31") if code != NEW_HIOW else ("2026", "2026-04-01",
                                                                                       "2026-06-30")
                csv.writer(f, lineterminator="\n").writerow([ind, code, *period, value, "", "", "", "", "final", ""])
    return folder


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = small_site(tmp_path_factory.mktemp("pages") / "site")
    config, _ = load_config(None, data_dir=folder / "datapackages", content_dir=folder / "content")
    data = build_model(load(config))
    data.places = PLACES.copy()
    return data, compute(data)


@pytest.fixture(scope="module")
def pages(model):
    data, comp = model
    return {page.path: page for page in PageBuilder(data, comp, DOWNLOADS).all_pages()}


def test_profile_rows_say_value_england_comparison_rank_and_trend(pages):
    kent = pages["ics/kent-and-medway/"]
    assert isinstance(kent, ProfilePage) and kent.title == "Kent and Medway"
    assert [title for title, _ in kent.domains] == ["Urgent and emergency care", "Context"]
    ae, ambulance = kent.domains[0][1]
    assert ae.link == Link("A&E within 4 hours", "indicators/ae-4hr/")  # the plain (short) title
    assert ae.technical == AE_TITLE  # the official name behind it
    assert ae.glossary == []  # the fixture site has no glossary page (tests/unit/test_profile_citizen.py has one)
    assert (ae.period, ae.value, ae.england, ae.comparison) == ("Jun 2026", "77.5%", "78.8%", "Worse")
    # monthly values from Nov 2025 only: no value for June a year earlier, and the row says so
    assert (ae.rank, ae.trend) == ("2nd of 2", "No comparison with a year earlier")
    assert ae.trend_note == "No value for the same month a year earlier on this boundary."
    assert ae.summary == "Significantly worse than England."
    assert (ambulance.value, ambulance.comparison, ambulance.rank) == ("18.8 minutes", "Not compared", "1st of 2")
    assert kent.verdict == ("Compared with England, Kent and Medway is better on 0 of the 1 indicators we can "
                            "compare, similar on 0 and worse on 1.")
    assert kent.summary == ["No indicator shows a significant improvement or deterioration (over the latest five "
                            "years, or on a year earlier for monthly and quarterly figures)."]
    assert kent.population == "1,950,000 people registered with a GP (2025)"
    assert kent.description == "How Kent and Medway Integrated Care System compares with England on 4 indicators."


def test_profile_has_its_charts_files_preview_and_feed(pages):
    kent = pages["ics/kent-and-medway/"]
    assert [c.id for c in page_charts(kent)] == ["spine", "trend-urgent_care"]
    spine, trend = kent.spine, kent.charts[0]
    assert (spine.image, spine.data, spine.spec, spine.png) == ("spine.svg", "spine.csv", "spine.vl.json", "spine.png")
    assert spine.embed == "ics/kent-and-medway/spine/"
    assert (trend.image, trend.data, trend.spec, trend.png) == ("trend-urgent_care.svg", "trend-urgent_care.csv",
                                                                "trend-urgent_care.vl.json", "")
    assert trend.embed == "ics/kent-and-medway/trend-urgent_care/"
    assert kent.image == "ics/kent-and-medway/spine.png"  # the link preview: the first chart's PNG
    assert kent.feed == "ics/kent-and-medway/feed.xml"
    assert kent.downloads == DOWNLOADS[f"ics/{KENT}"]
    # the spine leaves out context measures: only the two judged indicators, against the range of boards
    assert [row[0] for row in spine.table.rows] == [AE_TITLE, "Ambulance: Category 2 mean response time"]
    assert spine.table.rows[0][2:] == ["77.5%", "78.8%", "77.5%", "79.0%", "Worse"]


def test_profile_names_peers_what_to_learn_and_places(pages):
    kent = pages["ics/kent-and-medway/"]
    new_hiow = Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight/")
    assert kent.peers == [new_hiow]
    assert kent.learn == [{"indicator": Link("A&E within 4 hours", "indicators/ae-4hr/"), "period": "Jun 2026",
                           # worse than England; its peer's interval is wholly better, and how it compares with England
                           "peers": [Link(new_hiow.text, new_hiow.href, "similar to England")],
                           # the one improving is the closed board (E54000042): never offered
                           "improvers": [], "stories": []}]
    closed = pages["ics/hampshire-and-isle-of-wight-e54000042/"]
    assert closed.peers == [] and closed.learn == []  # compared today through its successor
    assert kent.places == ["Ashford (part)", "Maidstone"]  # the newest map only, by name
    assert kent.places_note == "Local authority districts from the ONS April 2024 lookup of districts to boards."
    assert pages["ics/hampshire-and-isle-of-wight/"].places_note.startswith("Local authority districts from the ONS "
                                                                            "April 2024 lookup, relabelled")
    assert pages["ics/hampshire-and-isle-of-wight-e54000042/"].places == []
    trend = kent.charts[0]
    assert trend.table.columns == ["Indicator", "Period", "Kent and Medway", "England"]  # similar ICSs: peers page
    assert "similar" not in trend.description and "The table gives every value shown." in trend.description


def test_profile_of_a_board_after_a_boundary_change_links_and_explains_its_lineage(pages):
    new = pages["ics/hampshire-and-isle-of-wight/"]
    old = pages["ics/hampshire-and-isle-of-wight-e54000042/"]
    assert new.predecessors == [Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight-e54000042/",
                                     "boundary change")]
    assert old.successors == [Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight/",
                                   "boundary change")]
    assert new.successors == [] and old.predecessors == []
    assert new.lineage_notes == ["Values from before 1 April 2026 cover Hampshire and Isle of Wight's previous "
                                 "boundary: trend charts show them as a separate line, with a break at the change, and "
                                 "the direction of travel uses only values since the change."]
    assert old.status_note == "This board closed on 31 March 2026."
    assert new.status_note == "Established 1 April 2026; current."
    assert new.area["region"] == "South East" and "code_note" not in new.area  # a note to publishers: not shown
    trend = new.charts[0]
    assert trend.table.columns[:3] == ["Indicator", "Period", "Boundary"]
    assert {row[2] for row in trend.table.rows} == {"before 1 April 2026", "from 1 April 2026"}
    assert "series has a break on 1 April 2026, when its boundary changed" in trend.description


def test_indicator_page_has_every_chart_finished(pages):
    ae = pages["indicators/ae-4hr/"]
    assert isinstance(ae, IndicatorPage)
    assert [c.id for c in page_charts(ae)] == ["ranked", "funnel", "tiles", "over-time"]
    assert [c.png for c in page_charts(ae)] == ["ranked.png", "", "", ""]
    assert [c.embed for c in page_charts(ae)] == [f"indicators/ae-4hr/{i}/" for i in ("ranked", "funnel", "tiles",
                                                                                       "over-time")]
    assert ae.image == "indicators/ae-4hr/ranked.png"
    assert (ae.latest_period, ae.england, ae.target.split(" (")[0]) == ("Jun 2026", "78.8%", "78.0%")
    assert ae.summary == ["In Jun 2026, 0 of 2 ICSs were significantly better than England, 1 significantly worse "
                          "and 1 similar."]
    assert ae.target_summary == "1 of 2 ICSs met the target of 78.0%."
    assert [row[:3] for row in ae.ranked.table.rows] == [
        ["1st of 2", Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight/"), "79.0"],
        ["2nd of 2", Link("Kent and Medway", "ics/kent-and-medway/"), "77.5"]]
    assert [row[1] for row in ae.funnel.table.rows] == ["78,842", "93,110"]  # denominators, by code
    assert [row[1:] for row in ae.tiles.table.rows] == [["HIW", "Similar", "79.0%"], ["KM", "Worse", "77.5%"]]
    # over time: England first; the one board under two codes says which is which
    assert [str(row[0]) if isinstance(row[0], str) else row[0].text for row in ae.over_time.table.rows] == [
        "England", "Hampshire and Isle of Wight (to 31 March 2026)", "Hampshire and Isle of Wight (from 1 April 2026)",
        "Kent and Medway"]
    assert ae.over_time.table.columns == ["Area", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026",
                                          "Jun 2026"]
    assert "A vertical line marks 1 April 2026, when a boundary change took effect" in ae.over_time.description
    # six months of values: no system has a change on a year earlier, so none is offered as most improved (that
    # closed boards never are is tested in test_comparisons and over the shipped site)
    assert ae.most_improved == []
    assert ae.improved_text == ("No ICS has a direction of travel on this indicator. No value for the same month a "
                                "year earlier on this boundary.")
    assert ae.downloads == DOWNLOADS["indicators/ae_4hr"] + DOWNLOADS["urgent-care-sample"]
    # a mean without intervals: no funnel plot, and the ranked chart is still the first
    ambulance = pages["indicators/amb-cat2-mean/"]
    assert ambulance.funnel is None and [c.id for c in page_charts(ambulance)] == ["ranked", "tiles", "over-time"]
    assert ambulance.image == "indicators/amb-cat2-mean/ranked.png"


def test_no_page_needs_patching(model, pages):
    """Every chart of every page has its files and embed page; only a page's first chart has a PNG, and a page has
    a preview picture exactly when it has a chart; every profile has its feed."""
    everything = list(pages.values())
    for page in everything:
        charts = page_charts(page)
        for n, chart in enumerate(charts):
            assert (chart.image, chart.data, chart.spec, chart.embed) == (
                f"{chart.id}.svg", f"{chart.id}.csv", f"{chart.id}.vl.json", f"{page.path}{chart.id}/"), page.path
            assert chart.png == (f"{chart.id}.png" if n == 0 else ""), page.path
        assert page.image == (f"{page.path}{charts[0].id}.png" if charts else ""), page.path
        assert page.feed == (f"{page.path}feed.xml" if isinstance(page, ProfilePage) else ""), page.path
    embeds = embed_pages(everything)
    assert len(embeds) == sum(len(page_charts(p)) for p in everything) == 20
    for embed in embeds:  # each chart alone, its files one folder up
        chart, home = embed.chart, pages[embed.from_page.href]
        first = page_charts(home)[0].id == chart.id
        assert embed.path == f"{home.path}{chart.id}/" == chart.embed
        assert (chart.image, chart.data, chart.spec, chart.png) == (
            f"../{chart.id}.svg", f"../{chart.id}.csv", f"../{chart.id}.vl.json", f"../{chart.id}.png" if first else "")
    assert page_charts(pages["ics/kent-and-medway/"])[0].image == "spine.svg"  # the embed page made copies


def test_building_reads_only_the_index(model):
    """Once the data is indexed, no page reads the whole values table, the successions or the places again."""
    data, comp = model

    class Spent:
        def __getattr__(self, name):
            raise AssertionError(f"a page read a whole table after indexing (.{name})")

        def __getitem__(self, key):
            raise AssertionError("a page read a whole table after indexing")

    builder = PageBuilder(dataclasses.replace(data), comp, DOWNLOADS)
    ix = builder.index
    ix.comp = dataclasses.replace(comp, values=Spent(), series=Spent())
    ix.data.successions = ix.data.places = Spent()
    assert builder.all_pages()


def test_images_setting_is_known_when_the_charts_are_made(model):
    data, comp = model
    for mode, images, pngs, preview in [
            ("first", ["ranked.svg", "", "", ""], ["ranked.png", "", "", ""], "indicators/ae-4hr/ranked.png"),
            ("none", ["", "", "", ""], ["", "", "", ""], "")]:
        ae = next(p for p in PageBuilder(data, comp, {}, mode).all_pages() if p.path == "indicators/ae-4hr/")
        assert [c.image for c in page_charts(ae)] == images
        assert [c.png for c in page_charts(ae)] == pngs
        assert ae.image == preview
        assert all(c.data and c.spec and c.embed for c in page_charts(ae))  # the data and the spec stay
    with pytest.raises(ValueError, match="images must be one of"):
        PageBuilder(data, comp, {}, "some").all_pages()


def test_site_pages(pages):
    home = pages[""]
    assert isinstance(home, HomePage)
    assert home.counts == {"icbs_current": 2, "indicators": 4, "profiles": 3, "values": 70}
    assert home.regions == [("South East", [Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight/"),
                                            Link("Kent and Medway", "ics/kent-and-medway/")])]
    index = pages["indicators/"]
    (_, urgent), (_, context) = index.domains
    assert urgent.rows[0][:3] == [Link(AE_TITLE, "indicators/ae-4hr/"), "Jun 2026", "78.8%"]
    assert context.rows[0][1:3] == ["2026", "–"]  # no England value for a context measure
    search = pages["search/"]
    assert isinstance(search, SearchPage)
    assert [(s["link"].text, s["places"], s["closed"]) for s in search.systems] == [
        ("Hampshire and Isle of Wight", ["Winchester"], ""), ("Kent and Medway", ["Ashford (part)", "Maidstone"], ""),
        ("Hampshire and Isle of Wight", [], "closed 31 March 2026")]
    ics = pages["ics/"]
    assert [row[4] for row in ics.regions[0][1].rows] == ["Current", "Current", "Closed 31 March 2026"]
    assert isinstance(pages["about/"], ContentPage)
    peers = pages["ics/kent-and-medway/peers/"]
    assert isinstance(peers, SideBySidePage)
    assert peers.members == [Link("Kent and Medway", "ics/kent-and-medway/"),
                             Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight/")]
    # England second, beside the indicator (whose unit and period are its link's note): the theme keeps both in view
    first = peers.tables[0][1].rows[0]
    assert (first[0].href, first[0].note) == ("indicators/ae-4hr/", "% · Jun 2026")
    assert first[1:] == ["78.8", "77.5 (Worse)", "79.0 (Similar)"]
    region = pages["regions/south-east/"]
    assert region.tables[0][1].columns == ["Indicator, unit and period", "England", "Hampshire and Isle of Wight",
                                           "Kent and Medway", "South East"]
    compare = pages["compare/"]
    assert isinstance(compare, ComparePage)
    assert [s["code"] for s in compare.systems] == [NEW_HIOW, KENT]


def test_building_twice_gives_equal_pages(model, pages):
    data, comp = model
    again = PageBuilder(data, comp, DOWNLOADS).all_pages()
    assert [dataclasses.asdict(p) for p in again] == [dataclasses.asdict(p) for p in pages.values()]
