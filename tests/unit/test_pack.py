"""The peer-challenge pack (issue 17): questions for the board worked out by hand from a small hand-made input, and
the pack of a board of the fixture site: its sections, its figures, and links that all lead to pages that exist.

The model is tests/unit/test_pages_builders.py's: Kent and Medway is worse than England on A&E (77.5% against
78.8% in June 2026, below the 78% target) and its one similar system, the new Hampshire and Isle of Wight board,
is significantly better (79.0%); Hampshire and Isle of Wight's closed board (E54000042) has no similar systems. An
invented example story of the new board's work on A&E is added, to be named in Kent's pack as an example.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from icsite.compute.comparisons import compute
from icsite.core.config import load_config
from icsite.core.display import Link
from icsite.inputs.load import load
from icsite.inputs.model import build_model
from icsite.inputs.stories import Story
from icsite.pages.builder import PageBuilder
from icsite.pages.contexts import PackPage, SiteInfo
from icsite.pages.figures import page_charts
from icsite.pages.pack import pack_pdf_path
from icsite.pages.questions import Change, Finding, Peer, questions
from icsite.pages.render import make_environment, render_page
from tests.unit.test_pages_builders import DOWNLOADS, PLACES, small_site

THEMES = Path(__file__).resolve().parents[2] / "themes"

KENT_PACK, CLOSED_PACK = "ics/kent-and-medway/pack/", "ics/hampshire-and-isle-of-wight-e54000042/pack/"
NEW_PACK = "ics/hampshire-and-isle-of-wight/pack/"


# --- questions, from findings made by hand ------------------------------------------------------------------------

def findings() -> list[Finding]:
    """Five indicators of one board. By hand, the sizes of the differences the questions rest on:
    A&E: the best similar system (B, 80.0%) against Kent's 70.0%: |80 - 70| / 70 = 0.1429;
    admissions: Kent's 9.0 against England's 8.0 (lower is better): |9 - 8| / 8 = 0.125;
    cancer: getting worse from 66.0% to 60.0%: |60 - 66| / 66 = 0.0909;
    ambulance: 35.0 minutes against its 30-minute target: |35 - 30| / 30 = 0.1667, but it is not worse than
    England and not getting worse, so it is asked about the target only;
    screening: similar to England and steady: no question."""
    return [
        Finding("A&E within 4 hours", "Kent", "Jun 2026", 70.0, "%", 1, england=78.0, worse=True,
                better_peers=(Peer("A", 76.0, Change("Jun 2025", 72.0, "Jun 2026", 76.0)), Peer("B", 80.0),
                              Peer("C", 75.0)), order=0),
        Finding("Emergency admissions", "Kent", "2022/23", 9.0, "per 1,000", 1, england=8.0, worse=True,
                high_is_good=False, order=1),
        Finding("Cancer 62 days", "Kent", "Jun 2026", 60.0, "%", 1, england=61.0,
                worsening=Change("Jun 2025", 66.0, "Jun 2026", 60.0), order=2),
        Finding("Ambulance response", "Kent", "Jun 2026", 35.0, "minutes", 1, england=34.0, high_is_good=False,
                target=30.0, target_missed=True, order=3),
        Finding("Screening", "Kent", "2025", 70.0, "%", 1, england=70.0, order=4),
    ]


def test_questions_come_largest_difference_first_with_hand_worked_figures():
    asked = questions(findings(), limit=3)
    # by hand: ambulance 0.1667 > A&E 0.1429 > admissions 0.125 > cancer 0.0909; three asked
    assert asked == [
        "Ambulance response in Kent (35.0 minutes in Jun 2026) misses its target of 30.0 minutes: what will it take "
        "to meet it, and by when?",
        # the best similar system first (B, 80.0%), then A (76.0%); C is counted, not named; A improved
        "Why is A&E within 4 hours worse in Kent (70.0% in Jun 2026) than in similar systems B (80.0%), A (76.0%) "
        "and 1 other similar system? A improved from 72.0% in Jun 2025 to 76.0% in Jun 2026. What did A change "
        "that could work here?",
        "Emergency admissions is worse in Kent (9.0 per 1,000 in 2022/23) than in England (8.0 per 1,000), and no "
        "similar system is significantly better: what would close the gap?",
    ]
    assert questions(findings())[3] == ("Why has Cancer 62 days in Kent got worse, from 66.0% in Jun 2025 to 60.0% "
                                        "in Jun 2026, and what is being done about it?")
    assert len(questions(findings())) == 4  # screening raises none


def test_a_question_names_the_best_peer_first_when_lower_is_better_and_adds_what_else_is_wrong():
    f = Finding("Waiting over 52 weeks", "Kent", "Sep 2026", 3.0, "%", 1, england=2.0, worse=True,
                high_is_good=False, better_peers=(Peer("A", 2.5), Peer("B", 1.5)),
                worsening=Change("Sep 2025", 2.6, "Sep 2026", 3.0), target=1.0, target_missed=True, illustrative=True)
    assert questions([f]) == [
        "Why is Waiting over 52 weeks (illustrative figures) worse in Kent (3.0% in Sep 2026) than in similar "
        "systems B (1.5%) and A (2.5%)? What do they do differently? It is also getting worse, from 2.6% in Sep 2025 "
        "to 3.0% in Sep 2026. It misses its target of 1.0%."]


# --- the pack of the fixture site's boards --------------------------------------------------------------------------

def example_story() -> Story:
    fields = {"slug": "stories/evening-sdec", "title": "Same-day emergency care into the evening",
              "board": "E54000067", "indicators": ("ae_4hr",), "period_from": "Jan 2026", "period_to": "Jun 2026",
              "summary": "An invented example.", "source": "", "contact": "", "example": True, "body": "Example.",
              "date": "2026-07-01"}
    return Story(**{f.name: fields.get(f.name, "") for f in dataclasses.fields(Story)})


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = small_site(tmp_path_factory.mktemp("pack") / "site")
    config, _ = load_config(None, data_dir=folder / "datapackages", content_dir=folder / "content")
    data = build_model(load(config))
    data.places = PLACES.copy()
    data.stories = [example_story()]
    return data, compute(data)


@pytest.fixture(scope="module")
def pages(model):
    data, comp = model
    return {page.path: page for page in PageBuilder(data, comp, DOWNLOADS).all_pages()}


def test_every_board_with_a_profile_has_a_pack_after_the_profiles(model, pages):
    paths = list(pages)
    profiles = [p for p in paths if p.startswith("ics/") and p.count("/") == 2]
    packs = [p for p in paths if p.endswith("/pack/")]
    assert packs == [p + "pack/" for p in profiles] and CLOSED_PACK in packs  # closed boards too, in profile order
    assert paths.index(packs[0]) > paths.index(profiles[-1])
    assert all(isinstance(pages[p], PackPage) and page_charts(pages[p]) == [] for p in packs)  # no chart of its own
    assert pages["ics/kent-and-medway/"].pack == KENT_PACK and pages["ics/kent-and-medway/"].pack_pdf == ""


def test_builds_without_packs_or_with_pdfs_say_so(model):
    data, comp = model
    without = {p.path: p for p in PageBuilder(data, comp, DOWNLOADS, packs=False).all_pages()}
    assert not [p for p in without if p.endswith("/pack/")] and without["ics/kent-and-medway/"].pack == ""
    with_pdf = {p.path: p for p in PageBuilder(data, comp, DOWNLOADS, pdf=True).all_pages()}
    pdf = "ics/kent-and-medway/pack/kent-and-medway-peer-challenge-pack.pdf"
    assert pack_pdf_path("kent-and-medway") == pdf
    assert with_pdf["ics/kent-and-medway/"].pack_pdf == pdf and with_pdf[KENT_PACK].pdf == pdf


def test_the_pack_summarises_against_england_and_similar_systems(pages):
    kent = pages[KENT_PACK]
    assert kent.verdict == ("Compared with England, Kent and Medway is better on 0 of the 1 indicators we can "
                            "compare, similar on 0 and worse on 1.")
    assert kent.standing[:2] == [
        "Its similar system, the board most like it in size and deprivation, is Hampshire and Isle of Wight.",
        "On 1 indicator they can be compared in the same period. On 1 of them Hampshire and Isle of Wight is "
        "significantly better than Kent and Medway; Kent and Medway is significantly better than it on 0."]
    assert "Of the 2 indicators with a target, Kent and Medway meets 1." in kent.standing  # A&E missed, ambulance met
    assert [s.split(":")[0] for s in kent.sure] == [
        "Better or worse than England", "Better or worse than a similar system", "Improving or getting worse"]
    assert "95%" in kent.sure[0] and "99.8%" in kent.sure[2]


def test_the_gaps_name_the_similar_systems_doing_better_and_what_they_did(pages):
    (gap,) = pages[KENT_PACK].gaps
    assert pages[KENT_PACK].gaps_intro == (
        "The 1 indicator on which Kent and Medway is significantly worse than England in its latest period, with the "
        "similar systems significantly better than Kent and Medway in the same period (their values in brackets, in "
        "the indicator's unit) and what they did.")
    assert (gap.indicator, gap.period, gap.value, gap.england) == (
        Link("A&E within 4 hours", "indicators/ae-4hr/"), "Jun 2026", "77.5%", "78.8%")
    assert gap.peers == [Link("Hampshire and Isle of Wight", "ics/hampshire-and-isle-of-wight/", "79.0%")]
    assert gap.stories == [Link("Example, not a real account: Same-day emergency care into the evening",
                                "stories/evening-sdec/", "Hampshire and Isle of Wight")]  # labelled an example
    assert pages[KENT_PACK].questions == [
        "Why is A&E within 4 hours (illustrative figures) worse in Kent and Medway (77.5% in Jun 2026) than in "
        "similar systems Hampshire and Isle of Wight (79.0%)? What do they do differently? It misses its target of "
        "78.0%."]


def test_a_closed_boards_pack_points_to_the_packs_of_the_boards_after_it(pages):
    closed = pages[CLOSED_PACK]
    assert closed.peers == [] and closed.peers_page is None and closed.gaps[0].peers == []
    assert closed.gaps_intro == ("The 1 indicator on which Hampshire and Isle of Wight is significantly worse than "
                                 "England in its latest period.")  # no column of similar systems: it has none
    assert closed.successors == [Link("Hampshire and Isle of Wight", NEW_PACK)]
    assert closed.standing[0].startswith("Hampshire and Isle of Wight closed on 31 March 2026, so it is not compared")


def test_every_link_of_a_pack_leads_to_a_page_that_exists(model, pages):
    data, _ = model
    exists = set(pages) | {"data/"} | {f"data/{p.name}/" for p in data.packages}  # data pages: made by the build
    for path in (KENT_PACK, CLOSED_PACK, NEW_PACK):
        pack = pages[path]
        links = [pack.profile] + ([pack.peers_page] if pack.peers_page else []) + pack.successors + pack.peers
        links += [link for _, group in pack.sources for link in group] + pack.better + pack.worse
        links += [link for g in pack.gaps for link in [g.indicator] + g.peers + g.improvers + g.stories]
        links += [r.indicator for r in pack.improving + pack.worsening]
        links += [Link(p["title"], p["href"]) for p in pack.packages]
        hrefs = {link.href for link in links if link.href}
        assert hrefs and not {h for h in hrefs if h not in exists}, (path, hrefs - exists)
    named = {link.href for _, group in pages[KENT_PACK].sources for link in group}
    assert {"ics/kent-and-medway/", "ics/kent-and-medway/peers/", "indicators/ae-4hr/",
            "ics/hampshire-and-isle-of-wight/", "stories/evening-sdec/", "data/"} <= named


def test_the_pack_renders_its_sections_and_accessible_tables(pages):
    site = SiteInfo(title="ICS Outcomes", description="", base_path="/ics-outcomes/", build_date="1 June 2026",
                    repository_url="", nav=[Link("Home", "")], illustrative=True, indicators=4)
    html = render_page(make_environment(THEMES, "default"), pages[KENT_PACK], site)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == "Kent and Medway: peer-challenge pack" and len(soup.find_all("h1")) == 1
    ids = [h["id"] for h in soup.find_all("h2")]
    assert ids == ["contents", "summary", "overview", "gaps", "travel", "questions", "methods"]
    for table in soup.find_all("table"):
        assert table.caption and table.caption.get_text(strip=True)
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
        region = table.parent
        assert "table-scroll" in region["class"] and region["role"] == "region" and region["tabindex"] == "0"
    assert soup.find("img", class_="chart-image")["src"] == "../spine.svg"  # the profile's image, not a new one
    assert "Example, not a real account" in soup.get_text()
    assert '@bottom-left { content: "ICS Outcomes · /ics-outcomes/ics/kent-and-medway/pack/"' in html
    assert "<script" not in str(soup.main)  # readable without JavaScript
