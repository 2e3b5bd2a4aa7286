"""Improvement stories (content/stories/): validated against the data like data, shown on the board's profile, on
each indicator page they name and wherever their board is offered as a system to learn from, in the feeds, and
scaffolded by `build.py new-story`.

The data: the fixture site with context measures (test_pages_builders.small_site). Kent and Medway is worse than
England on A&E in June 2026 and its one peer, the new Hampshire and Isle of Wight board (ODS QRL, ONS E54000067), is
significantly better, so Kent's profile offers Hampshire as a system to learn from on A&E.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import build
from icsite.commands.build import check
from icsite.commands.scaffold import new_story, story_inputs
from icsite.compute.comparisons import compute
from icsite.core.config import load_config
from icsite.core.display import Link
from icsite.inputs.load import load
from icsite.inputs.model import build_model
from icsite.outputs.feeds import area_feed, site_feed, story_entry
from icsite.pages.builder import PageBuilder
from tests.unit.test_pages_builders import small_site

STORY = """---
title: "Evening same-day emergency care"
board: {board}
indicators: [{indicators}]
from: {start}
to: {end}
summary: "Same-day emergency care open until 10 pm."
source: https://example.org/evening-sdec
date: 2026-07-01
---

## What they did

They opened **same-day emergency care** until 10 pm. <script>alert(1)</script>
"""


def site_with(folder: Path, board="QRL", indicators="ae_4hr", start="Apr 2026", end="Jun 2026", extra="") -> Path:
    site = small_site(folder)
    (site / "content" / "stories").mkdir()
    text = STORY.format(board=board, indicators=indicators, start=start, end=end)
    (site / "content" / "stories" / "evening-sdec.md").write_text(text.replace("date:", extra + "date:"),
                                                                  encoding="utf-8")
    return site


def problems_of(site: Path) -> list[tuple]:
    config, _ = load_config(None, data_dir=site / "datapackages", content_dir=site / "content")
    return [(p.code, p.file.split("/")[-1], p.field, p.found) for p in check(config)
            if p.severity == "error" and p.code.startswith("story-")]  # (the fixture's context measures have others)


@pytest.mark.parametrize("change, expected", [
    ({"board": "QZZ"}, ("story-board-unknown", "evening-sdec.md", "board", "QZZ")),
    ({"board": "E54000001"}, ("story-board-unknown", "evening-sdec.md", "board", "E54000001")),
    ({"indicators": "ae_4hr, ae_4hour"}, ("story-indicator-unknown", "evening-sdec.md", "indicators", "ae_4hour")),
    ({"start": "Apr 2020"}, ("story-period-outside", "evening-sdec.md", "from", "Apr 2020")),
    ({"end": "Jul 2026"}, ("story-period-outside", "evening-sdec.md", "to", "Jul 2026")),
    ({"start": "Jun 2026", "end": "Apr 2026"}, ("story-period-outside", "evening-sdec.md", "to", "Apr 2026")),
])
def test_a_story_the_data_does_not_bear_out_is_a_located_problem(tmp_path, change, expected):
    assert problems_of(site_with(tmp_path / "site", **change)) == [expected]


def test_a_story_names_its_fields_and_where_it_comes_from(tmp_path):
    site = site_with(tmp_path / "site")
    path = site / "content" / "stories" / "evening-sdec.md"
    path.write_text(path.read_text().replace("source: https://example.org/evening-sdec\n", "")
                    .replace('summary: "Same-day emergency care open until 10 pm."\n', "")
                    .replace("date: 2026-07-01", "date: 1 July 2026"), encoding="utf-8")
    found = {(code, field) for code, _, field, _ in problems_of(site)}
    assert found == {("story-field-invalid", "summary"), ("story-field-invalid", "source"),
                     ("story-field-invalid", "date")}


def test_the_cli_refuses_a_bad_story_with_exit_1_naming_file_and_field(tmp_path, capsys):
    site = site_with(tmp_path / "site", board="QZZ")
    code = build.main(["--check", "--data", str(site / "datapackages"), "--content", str(site / "content")])
    err = capsys.readouterr()
    text = err.out + err.err
    assert code == 1
    assert "stories/evening-sdec.md" in text and "field board" in text and "story-board-unknown" in text
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = site_with(tmp_path_factory.mktemp("stories") / "site")
    config, _ = load_config(None, data_dir=site / "datapackages", content_dir=site / "content")
    data = build_model(load(config))
    comp = compute(data)
    return data, comp, {page.path: page for page in PageBuilder(data, comp, {}).all_pages()}


def test_a_valid_story_shows_where_it_helps(built):
    data, _, pages = built
    story = Link("Evening same-day emergency care", "stories/evening-sdec/")
    assert [s.board for s in data.stories] == ["E54000067"]  # its ODS code, resolved
    hiow = pages["ics/hampshire-and-isle-of-wight/"]
    assert [(l.text, l.href) for l in hiow.stories] == [(story.text, story.href)]
    assert [(l.text, l.href) for l in pages["indicators/ae-4hr/"].stories] == [(story.text, story.href)]
    kent = pages["ics/kent-and-medway/"]  # offered as the system to learn from on A&E: what they did
    assert [(l.text, l.href, l.note) for l in kent.learn[0]["stories"]] == [
        (story.text, story.href, "Hampshire and Isle of Wight")]
    assert kent.stories == []  # Kent has no story of its own
    assert "stories/" in pages and pages["stories/"].count == 1


def test_the_story_page_charts_the_board_its_peers_and_england_over_its_period(built):
    _, _, pages = built
    page = pages["stories/evening-sdec/"]
    assert page.period == "Apr 2026 to Jun 2026" and page.board.href == "ics/hampshire-and-isle-of-wight/"
    assert "<script>" not in page.body_html and "<strong>same-day emergency care</strong>" in page.body_html
    table = page.chart.table
    assert table.columns == ["Indicator", "Area", "Apr 2026", "May 2026", "Jun 2026"]
    # the board's values as the fixture gives them (76.4474, 72.2117, 78.9518), then its peer Kent's, then England's
    assert table.rows[0] == ["A&E within 4 hours", "Hampshire and Isle of Wight", "76.4%", "72.2%", "79.0%"]
    assert table.rows[1][:3] == ["A&E within 4 hours", "Kent and Medway", "77.1%"]
    assert [r[1] for r in table.rows] == ["Hampshire and Isle of Wight", "Kent and Medway", "England"]
    assert '"Similar ICSs"' in page.chart.spec_json


def test_stories_are_in_the_site_feed_and_their_board_s_feed(built):
    data, _, _ = built
    entry = story_entry(data.stories[0], "Hampshire and Isle of Wight")
    site = site_feed({}, {}, None, "", "Site", "Us", [entry]).decode()
    board = area_feed("E54000067", "Hampshire and Isle of Wight", "hampshire-and-isle-of-wight", {}, {}, set(), "",
                      "Site", "Us", [entry]).decode()
    for feed in (site, board):
        assert "Evening same-day emergency care" in feed and "2026-07-01T00:00:00Z" in feed
        assert "stories/evening-sdec/" in feed


def test_an_example_story_says_so_wherever_it_is_listed(tmp_path):
    site = site_with(tmp_path / "site", extra="example: true\n")
    config, _ = load_config(None, data_dir=site / "datapackages", content_dir=site / "content")
    data = build_model(load(config))
    pages = {page.path: page for page in PageBuilder(data, compute(data), {}).all_pages()}
    label = "Example, not a real account: Evening same-day emergency care"
    assert pages["ics/hampshire-and-isle-of-wight/"].stories[0].text == label
    assert pages["indicators/ae-4hr/"].stories[0].text == label
    assert pages["ics/kent-and-medway/"].learn[0]["stories"][0].text == label
    assert pages["stories/"].examples == 1


def test_new_story_writes_a_story_that_passes_check(tmp_path):
    site = small_site(tmp_path / "site")
    config, _ = load_config(None, data_dir=site / "datapackages", content_dir=site / "content")
    boards, periods = story_inputs(config)
    made = new_story("Evening SDEC", site / "content", "QKS", ["ae_4hr"], periods, boards, date(2026, 12, 2))
    assert made == site / "content" / "stories" / "evening-sdec.md"
    text = made.read_text()
    assert "from: Nov 2025" in text and "to: Jun 2026" in text and "date: 2026-12-02" in text
    assert not [p for p in check(config) if p.code.startswith("story-")]
    with pytest.raises(ValueError, match="QZZ"):
        new_story("Other", site / "content", "QZZ", ["ae_4hr"], periods, boards, date(2026, 12, 2))
    with pytest.raises(FileExistsError):
        new_story("Evening SDEC", site / "content", "QKS", ["ae_4hr"], periods, boards, date(2026, 12, 2))
