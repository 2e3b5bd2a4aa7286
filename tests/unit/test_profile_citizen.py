"""An ICS profile in the order a citizen reads it (issue 16): the verdict first, the indicators most clearly better
and worse than England named in plain words, a contents list, plain titles with the official name and glossary
behind them, a new board's missing figures explained, and no publisher's note shown as a public fact.

The model: the fixture site (Kent and Medway; Hampshire and Isle of Wight, whose board changed boundary and ONS
code on 1 April 2026, the new code carrying a publisher's `code_note`), with registered population and deprivation
for 2025 only: the new board, formed in April 2026, has neither, so it has no population and no peers yet.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from icsite.compute.comparisons import compute
from icsite.core.config import load_config
from icsite.core.display import Link
from icsite.inputs.load import load
from icsite.inputs.model import build_model
from icsite.pages.contexts import SiteInfo
from icsite.pages.index import SiteIndex
from icsite.pages.profile import profile_page
from icsite.inputs.load import read_page
from icsite.inputs.page_checks import page_problems
from icsite.pages.glossary import glossary_from
from icsite.pages.profile_summary import highlights, verdict
from icsite.pages.render import make_environment, render_page
from tests.unit.test_pages_builders import small_site

ROOT = Path(__file__).resolve().parents[2]
KENT, OLD_HIOW, NEW_HIOW = "E54000032", "E54000042", "E54000067"
CONTEXT = [("registered_population", "Registered population", "people", "count", 0,
            {KENT: 1_950_000, OLD_HIOW: 1_850_000}),
           ("imd_score", "Deprivation score (IMD 2025)", "score", "mean", 1, {KENT: 21.5, OLD_HIOW: 14.2})]
JARGON = ["QOF", "RTT", "DM01", "caseness", "criteria to reside", "mmHg", "DTaP", "APS", "(e.g."]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    folder = small_site(tmp_path_factory.mktemp("citizen") / "site", CONTEXT)
    config, _ = load_config(None, data_dir=folder / "datapackages", content_dir=folder / "content")
    data = build_model(load(config))
    return SiteIndex(data, compute(data), {})


def render(page) -> BeautifulSoup:
    site = SiteInfo(title="ICS Outcomes", description="", base_path="/ics-outcomes/", build_date="1 June 2026",
                    repository_url="", nav=[Link("Home", "")], illustrative=True, indicators=4)
    return BeautifulSoup(render_page(make_environment(ROOT / "themes", "default"), page, site), "html.parser")


def test_the_verdict_is_one_sentence_from_the_counts():
    assert verdict("Devon", {"compared": 32, "Better": 5, "Similar": 6, "Worse": 21}) == (
        "Compared with England, Devon is better on 5 of the 32 indicators we can compare, similar on 6 and worse "
        "on 21.")
    assert verdict("Devon", {"compared": 0}) == "Devon has no indicator that can be compared with England yet."


def test_highlights_name_the_largest_significant_differences_in_plain_words():
    ind = {i: {"title": f"Official {i}", "short_title": f"Plain {i}", "decimals": 1, "unit": "%"} for i in "abcdef"}
    rows = {"a": ("Better", 60, 50), "b": ("Better", 51, 50), "c": ("Worse", 20, 40), "d": ("Similar", 90, 50),
            "e": ("Worse", 45, 50), "f": ("Not compared", 10, 50)}
    latest = {i: {"compared_to_england": c, "value": v, "england_value": e, "period": "2025", "status": "final"}
              for i, (c, v, e) in rows.items()}
    fake = SimpleNamespace(indicator_order=list("abcdef"), ind=ind, fmt=lambda v, _: f"{float(v):.1f}%",
                           indicator_link=lambda i: Link(ind[i]["title"], f"indicators/{i}/"))
    better, worse = highlights(fake, latest, n=1)
    assert better == [Link("Plain a", "indicators/a/", "60.0% against England's 50.0% (2025)")]
    assert worse == [Link("Plain c", "indicators/c/", "20.0% against England's 40.0% (2025)")]  # 50% off, not 10%
    better, worse = highlights(fake, latest)
    assert [l.text for l in better] == ["Plain a", "Plain b"] and [l.text for l in worse] == ["Plain c", "Plain e"]


def test_every_glossary_link_has_its_entry_and_the_shipped_jargon_has_links():
    page = read_page(ROOT / "content" / "glossary.md", ROOT / "content")
    assert page_problems([page], ROOT) == []  # every term names a heading of the page, with phrases
    glossary = glossary_from([page])
    ids = set(re.findall(r"\{#([a-z0-9-]+)\}", page.body))
    assert len(glossary.terms) >= 25 and {anchor for anchor, _ in glossary.terms} <= ids
    glossary_links = glossary.links
    titles = {}
    for path in sorted((ROOT / "datapackages").glob("*/indicators.csv")):
        with open(path, encoding="utf-8") as f:
            titles.update({r["id"]: (r["title"], r["short_title"]) for r in csv.DictReader(f)})
    for ind_id, (title, short) in titles.items():
        assert not [w for w in JARGON if w in short], (ind_id, short)  # the plain title carries no jargon
        jargon = [w for w in JARGON if w in title]
        assert not jargon or glossary_links(title), (ind_id, title)  # the official name's jargon is explained
    assert glossary_links(titles["rtt_18wk"][0]) == [Link("Glossary: RTT", "glossary/#rtt")]
    assert [l.href for l in glossary_links(titles["nctr_daily"][0])] == ["glossary/#criteria-to-reside"]
    assert [l.href for l in glossary_links(titles["talking_therapies_recovery"][0])] == [
        "glossary/#talking-therapies"]


def test_a_profile_reads_verdict_highlights_contents_then_themes(ix):
    kent = profile_page(ix, KENT)
    assert kent.worse == [Link("A&E within 4 hours", "indicators/ae-4hr/",
                               "77.5% against England's 78.8% (Jun 2026)")]
    assert kent.better == []
    soup = render(kent)
    main = soup.find("main")
    order = [el.get("id") or el.get("class", [""])[0] for el in main.find_all(["h1", "p", "h2", "nav"])
             if el.name in ("h1", "h2", "nav") or "verdict" in el.get("class", [])]
    assert order[:5] == ["", "verdict", "summary", "toc", "contents"], order  # the h1 has no id
    assert main.find(class_="verdict").get_text() == kent.verdict
    worse = main.find(class_="highlight-worse").get_text(" ", strip=True)
    assert "A&E within 4 hours : 77.5% against England's 78.8% (Jun 2026)" in worse
    toc = [a["href"] for a in main.find("nav", class_="profile-toc").find_all("a")]
    assert toc[:2] == ["#overview", "#theme-1"] and toc[-1] == "#about"
    assert all(main.find(id=href[1:]) is not None for href in toc)  # every entry leads to its section
    row = main.find("table", class_="indicators").find("tbody").find("tr")
    assert row.find("th").find("a").get_text() == "A&E within 4 hours"  # plain title first, then the official name
    assert "Official name: A&E: % of attendances admitted" in row.find(class_="row-tech").get_text()
    assert row.find(class_="row-tech").find("a") is None and "glossary" not in str(main)  # the site has none


def test_a_new_board_says_what_it_lacks_and_why_and_shows_no_publisher_note(ix):
    new = profile_page(ix, NEW_HIOW)
    assert new.population == "" and new.peers == []
    assert new.population_note.startswith("Not published yet. The latest annual figures in the data are for 2025, "
                                          "before the board was formed on 1 April 2026")
    assert "registered population and deprivation score (IMD 2025)" in new.peers_note
    (why, links), = new.not_yet
    assert "before Hampshire and Isle of Wight's board was formed on 1 April 2026" in why
    assert [l.text for l in links] == ["Deprivation score (IMD 2025)", "Registered population"]  # in page order
    assert links[0].note == "latest figures: 2025"
    assert "code_note" not in new.area
    html = render(new)
    text = html.get_text(" ", strip=True)
    assert "secondary source" not in text and "verify" not in text  # the registry's note to publishers
    assert new.population_note in text and new.peers_note in text
    assert html.find(id="not-yet") is not None
    assert "#not-yet" in [a["href"] for a in html.find("nav", class_="profile-toc").find_all("a")]


def test_a_printed_profile_carries_its_address(ix):
    style = render(profile_page(ix, KENT)).find("style", media="print").get_text()
    assert '@bottom-left { content: "ICS Outcomes · /ics-outcomes/ics/kent-and-medway/"; }' in style


def test_glossary_terms_are_checked_and_a_site_without_a_glossary_links_none(tmp_path):
    """A term that is not a heading of the page, or has no phrase, is a located problem; the longer phrase wins."""
    (tmp_path / "glossary.md").write_text("---\ntitle: Words\nterms:\n  le: [life expectancy]\n"
                                          "  hle: healthy life expectancy\n  gone: [x]\n  empty: []\n---\n"
                                          "### LE {#le}\n### HLE {#hle}\n### Empty {#empty}\n", encoding="utf-8")
    page = read_page(tmp_path / "glossary.md", tmp_path)
    found = [(p.code, p.field, p.message) for p in page_problems([page], tmp_path)]
    assert found == [("page-field-invalid", "terms", "the term 'gone' is not the id of a heading of the page"),
                     ("page-field-invalid", "terms", "the term 'empty' has no phrase")]
    glossary = glossary_from([page])
    assert glossary.links("Healthy life expectancy and life expectancy") == [
        Link("Glossary: Healthy life expectancy", "glossary/#hle"), Link("Glossary: life expectancy", "glossary/#le")]
    assert glossary_from([]) is None
