"""pages' parts: placing charts on a page, chart serialisation, short texts and the derived tables, by hand."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest

from icsite.charts.serialise import spec_json
from icsite.compute.derived import histories, latest_rows, recent_series, split_by, spread
from icsite.core.display import Table
from icsite.pages.contexts import IndicatorPage, ProfilePage
from icsite.pages.figures import Figure, page_charts, place, preview
from icsite.pages.text import change_label, join_names, kinds_text, rank_range_text, rank_text

TABLE = Table("t", ["a"], [["1"]])


def fig(id: str) -> Figure:
    return Figure(id, "{}", f"caption {id}", f"description {id}", TABLE)


def test_place_names_every_file_from_the_id_and_gives_only_the_first_chart_a_png():
    ranked, funnel, tiles = place("indicators/x/", [fig("ranked"), None, fig("tiles"), fig("over-time")])[:3]
    assert funnel is None
    assert (ranked.image, ranked.data, ranked.spec, ranked.png, ranked.embed) == (
        "ranked.svg", "ranked.csv", "ranked.vl.json", "ranked.png", "indicators/x/ranked/")
    assert (tiles.image, tiles.png, tiles.embed) == ("tiles.svg", "", "indicators/x/tiles/")
    # the first chart is the first that exists
    first, = place("p/", [None, fig("late")])[1:]
    assert first.png == "late.png"
    assert preview("p/", [None, first]) == "p/late.png" and preview("p/", [None, None]) == ""


@pytest.mark.parametrize("mode, images, pngs", [("all", ["a.svg", "b.svg"], ["a.png", ""]),
                                                ("first", ["a.svg", ""], ["a.png", ""]), ("none", ["", ""], ["", ""])])
def test_place_follows_the_images_setting(mode, images, pngs):
    charts = place("p/", [fig("a"), fig("b")], mode)
    assert [c.image for c in charts] == images and [c.png for c in charts] == pngs
    assert [c.data for c in charts] == ["a.csv", "b.csv"]  # data and spec whatever the setting
    assert preview("p/", charts) == ("p/a.png" if pngs[0] else "")


def test_page_charts_walks_a_page_in_page_order():
    spine, trend = place("ics/x/", [fig("spine"), fig("trend-cancer")])
    profile = ProfilePage("profile.html", "ics/x/", "X", "", spine=spine, charts=[trend])
    assert page_charts(profile) == [spine, trend]
    ranked, funnel, tiles, over_time = place("i/", [fig("ranked"), None, fig("tiles"), fig("over-time")])
    page = IndicatorPage("indicator.html", "i/", "I", "", ranked=ranked, over_time=over_time, funnel=funnel,
                         tiles=tiles)
    assert [c.id for c in page_charts(page)] == ["ranked", "tiles", "over-time"]


def test_spec_json_rounds_floats_to_ten_digits_and_keeps_everything_else():
    spec = {"b": [0.1 + 0.2, 1 / 3, (2.0, np.float64(2 / 3))], "a": {"n": None, "t": True, "i": 12345678901234,
                                                                       "s": "x</script>&"}, "big": 123456789.123456789}
    text = spec_json(spec)
    assert text == ('{"a":{"i":12345678901234,"n":null,"s":"x\\u003c/script\\u003e\\u0026","t":true},'
                    '"b":[0.3,0.3333333333,[2.0,0.6666666667]],"big":123456789.1}')
    assert spec["b"][0] == 0.1 + 0.2  # the spec itself is left as it was


def test_spec_json_agrees_with_a_plain_walk_on_random_specs():
    def plain(node):
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [plain(v) for v in node]
        return float(f"{node:.10g}") if isinstance(node, float) and not isinstance(node, bool) else node

    rng = random.Random(7)

    def leaf():
        return rng.choice([rng.random() * 10 ** rng.randint(-5, 9), rng.randint(-5, 5), "<&>", None, False])

    def tree(depth):
        if depth == 0:
            return leaf()
        return rng.choice([{f"k{i}": tree(depth - 1) for i in range(3)}, [tree(depth - 1) for _ in range(3)],
                           tuple(tree(depth - 1) for _ in range(2)), leaf()])

    for _ in range(200):
        spec = {"data": tree(4)}
        assert json.loads(spec_json(spec)) == json.loads(json.dumps(plain(spec)))


def test_rank_and_name_texts():
    assert rank_text({"rank": 12, "rank_of": 42, "rank_lowest": 7, "rank_highest": 19}) == \
        "12th of 42 (could be 7th to 19th)"
    assert rank_text({"rank": 1, "rank_of": 2, "rank_lowest": 1, "rank_highest": 1}) == "1st of 2"
    assert rank_text({"rank": pd.NA, "rank_of": 2}) == "–"
    assert rank_range_text({"rank_lowest": 2, "rank_highest": 3}) == "2nd to 3rd"
    assert rank_range_text({"rank_lowest": None, "rank_highest": 3}) == "–"
    assert [join_names(n) for n in (["A"], ["A", "B"], ["A", "B", "C"])] == ["A", "A and B", "A, B and C"]
    assert kinds_text({"merger": 2, "boundary_change": 1}) == "mergers and a boundary change"
    assert change_label(42, 36, pd.Timestamp("2026-04-01")) == "42 boards became 36"
    assert change_label(36, 36, pd.Timestamp("2026-04-01")) == "Boundaries changed 1 Apr 2026"


def values_table(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["indicator_id", "area_code", "area_type", "period", "period_start",
                                        "period_end", "value"])
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("status", "england_value", "compared_to_england", "rank", "rank_of", "rank_lowest",
                   "rank_highest", "small_number"):
        frame[column] = None
    return frame


VALUES = values_table([
    ("a", "X", "icb", "2024", "2024-01-01", "2024-12-31", 1.0),
    ("a", "X", "icb", "2023", "2023-01-01", "2023-12-31", 2.0),  # out of order: the latest is found by its end
    ("a", "Y", "icb", "2024", "2024-01-01", "2024-12-31", 3.0),
    ("a", "Z", "icb", "2024", "2024-01-01", "2024-12-31", 5.0),
    ("a", "Q", "icb", "2024", "2024-01-01", "2024-12-31", np.nan),  # no value: not in the spread or the history
    ("a", "E", "country", "2024", "2024-01-01", "2024-12-31", 2.5),
    ("a", "R", "region", "2024", "2024-01-01", "2024-12-31", 9.0),  # a region: in no ICB table
    ("b", "X", "icb", "Q1", "2024-01-01", "2024-03-31", 7.0),
])


def test_latest_rows_are_each_areas_latest_by_end_date():
    latest = latest_rows(VALUES)
    assert latest["X"]["a"]["period"] == "2024" and latest["X"]["a"]["value"] == 1.0
    assert latest["X"]["b"]["period"] == "Q1"
    assert set(latest) == {"X", "Y", "Z", "Q", "E", "R"}


def test_spread_of_icb_values_per_indicator_and_period():
    assert spread(VALUES)[("a", "2024")] == [1.0, 2.0, 4.0, 5.0]  # min, quartiles, max of 1, 3, 5
    assert ("a", "2023") in spread(VALUES) and all(key[1] != "R" for key in spread(VALUES))


def test_histories_hold_icb_and_england_values_by_area_and_time():
    history, periods = histories(VALUES)
    a = history["a"]
    assert a["area_code"] == ["E", "X", "X", "Y", "Z"]
    assert a["period"] == ["2024", "2023", "2024", "2024", "2024"]
    assert a["end"][:3] == ["2024-12-31", "2023-12-31", "2024-12-31"]
    assert [p[0] for p in periods["a"]] == ["2024", "2023"]  # in order of first appearance
    assert set(history) == {"a", "b"}


def test_recent_series_keeps_the_latest_window_of_each_series():
    series = VALUES[VALUES["value"].notna()].assign(series_code=VALUES["area_code"], segment="", segment_end=pd.NaT,
                                                    break_note="")
    recent = recent_series(series, window=1)
    assert recent["X"]["a"]["period"] == ["2024"] and recent["X"]["a"]["before_break"] == [False]
    assert recent_series(series, window=5)["X"]["a"]["period"] == ["2023", "2024"]


def test_split_by_cuts_sorted_columns_by_key():
    assert split_by(["a", "a", "b"], {"v": [1, 2, 3]}) == {"a": {"v": [1, 2]}, "b": {"v": [3]}}
    assert split_by([], {"v": []}) == {}


def test_most_improved_says_which_direction_of_travel_it_means():
    from icsite.pages.indicator import improved_text

    assert improved_text(("recent trend", ""), True).startswith("The ICSs whose values are getting significantly "
                                                                "better over the latest five years (OHID's recent")
    assert improved_text(("change on a year earlier", ""), False) == (
        "No ICS's latest value is significantly better than for the same month or quarter a year earlier.")
    assert improved_text(("recent trend", "Only 4 yearly values: the test needs 5."), False) == (
        "No ICS has a direction of travel on this indicator. Only 4 yearly values: the test needs 5.")
