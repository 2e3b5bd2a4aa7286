"""The funnel plot and the spine chart: small hand-made rows, rendered by vl_convert; limits checked by hand."""

import json
import math
import re

import pytest
import vl_convert

from icsite.charts import specs as charts
from icsite.charts import spine_funnel as charts_more
from icsite.compute.stats import poisson_rate_ci

PROPORTION = [{"area": "A", "value": 80.0, "denominator": 100.0, "comparison": "Better"},
              {"area": "B", "value": 70.0, "denominator": 400.0, "comparison": "Worse"},
              {"area": "C", "value": 74.0, "denominator": 1_600.0, "comparison": "Similar"},
              {"area": "D", "value": 74.0, "denominator": 1_600.0, "comparison": "Similar"},  # a tie with C
              {"area": "E", "value": None, "denominator": 50.0, "comparison": "Not compared"},  # no value: left out
              {"area": "F", "value": 60.0, "denominator": 0.0, "comparison": None}]  # no denominator: left out
RATE = [{"area": "A", "value": 520.0, "denominator": 25_000.0, "comparison": "Worse"},
        {"area": "B", "value": 400.0, "denominator": 60_000.0, "comparison": "Similar"},
        {"area": "C", "value": 250.0, "denominator": 4_000.0, "comparison": "Better"}]


def funnel(rows, england=75.0, value_type="proportion", multiplier=100.0):
    return charts_more.funnel_chart(rows, title="T", subtitle="S", unit="%", england=england, decimals=1,
                                    multiplier=multiplier, value_type=value_type)


def spine_row(title, polarity="high_is_good", value=3.0, england=2.5, low=1.0, q25=2.0, q75=4.0, high=5.0,
              comparison="Better"):
    return {"title": title, "polarity": polarity, "value": value, "england": england, "min": low, "q25": q25,
            "q75": q75, "max": high, "comparison": comparison, "value_text": f"{value}", "england_text": f"{england}"}


SPINE = [spine_row("Higher is better"), spine_row("Lower is better", "low_is_good", comparison="Worse"),
         spine_row("No judgement", "no_judgement", comparison="Higher"),
         spine_row("All ICSs equal", low=2.0, q25=2.0, q75=2.0, high=2.0, value=2.0, england=2.0, comparison="Similar"),
         spine_row("Tied quartiles", q25=3.0, q75=3.0, value=3.0, comparison="Similar"),
         spine_row("No England", england=None, comparison="Not compared"),
         spine_row("No ICS value", value=None)]


def has_none(node) -> bool:
    if isinstance(node, dict):
        return any(has_none(v) for v in node.values())
    if isinstance(node, list):
        return any(has_none(v) for v in node)
    return node is None


def svg(spec) -> str:
    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])


@pytest.mark.parametrize("rows, england, value_type, multiplier", [
    (PROPORTION, 75.0, "proportion", 100.0),
    (RATE, 420.0, "crude_rate", 100_000.0),
    (PROPORTION, None, "proportion", 100.0),  # England missing: no limits, no line
    (PROPORTION[:1], 75.0, "proportion", 100.0),  # a single ICS
    (RATE, 420.0, "dsr", 100_000.0),  # no limits for this value type: England's line only
    ([], 75.0, "proportion", 100.0),  # nothing to plot at all
])
def test_funnel_renders_without_nulls(rows, england, value_type, multiplier):
    spec = funnel(rows, england, value_type, multiplier)
    assert not has_none(spec)
    assert svg(spec).startswith("<svg")
    assert [r["area"] for r in spec["datasets"]["funnel"]] == [r["area"] for r in rows if r["value"] is not None
                                                                and r["denominator"]]


def test_funnel_without_england_has_no_lines():
    spec = funnel(PROPORTION, england=None)
    assert spec["datasets"]["funnel_limits"] == [] and len(spec["layer"]) == 1
    assert {r["line"] for r in funnel(RATE, 420.0, "dsr", 100_000.0)["datasets"]["funnel_limits"]} == {"England 420.0"}


def test_funnel_uses_a_log_scale_only_when_denominators_span_more_than_tenfold():
    assert funnel(PROPORTION)["encoding"]["x"]["scale"]["type"] == "log"  # 100 to 1,600
    assert funnel(RATE)["encoding"]["x"]["scale"]["type"] == "log"  # 4,000 to 60,000: fifteenfold
    assert funnel(RATE[:2])["encoding"]["x"]["scale"]["type"] == "linear"  # 25,000 to 60,000


def test_funnel_wilson_limits_match_hand_arithmetic():
    # p = 0.75, n = 100, z = 1.96 (z^2 = 3.8416):
    #   centre     = (0.75 + 3.8416/200) / (1 + 3.8416/100) = 0.769208 / 1.038416 = 0.740751
    #   half-width = 1.96 * sqrt(0.75*0.25/100 + 3.8416/40000) / 1.038416
    #              = 1.96 * sqrt(0.001875 + 0.000096) / 1.038416 = 1.96 * 0.044396 / 1.038416 = 0.083798
    #   so 0.656953 to 0.824549: 65.70% to 82.45% (not the 66.1% to 82.1% of the brief, whose half-width of
    #   0.0799 is an arithmetic slip). z for 95% is 1.959964, which moves these by less than 0.0001.
    rows = charts_more.funnel_limits(75.0, [100.0], multiplier=100.0, value_type="proportion")
    limits = {(r["line"], r["side"]): r["value"] for r in rows}
    assert limits["95% limits", "lower"] == pytest.approx(65.70, abs=0.01)
    assert limits["95% limits", "upper"] == pytest.approx(82.45, abs=0.01)
    assert limits["99.8% limits", "lower"] < limits["95% limits", "lower"]
    assert limits["99.8% limits", "upper"] > limits["95% limits", "upper"]
    # the chart's grid runs from 50 to 3,200 (half of 100, twice 1,600) in 121 geometric steps: its middle is 400
    spec_rows = [r for r in funnel(PROPORTION)["datasets"]["funnel_limits"] if math.isclose(r["denominator"], 400)]
    expected = charts_more.funnel_limits(75.0, [400.0], multiplier=100.0, value_type="proportion")
    assert sorted(r["value"] for r in spec_rows) == pytest.approx(sorted(r["value"] for r in expected))
    assert len(spec_rows) == 4  # England's line has points only at the grid's ends
    low, high = funnel(PROPORTION)["encoding"]["y"]["scale"]["domain"]  # the limits at n = 100 and the points
    assert low == pytest.approx(charts_more.funnel_limits(75.0, [100.0], multiplier=100.0,
                                                          value_type="proportion")[2]["value"]) and high <= 100


def test_funnel_grid_is_geometric_and_rounded_to_four_figures():
    grid = charts_more.funnel_grid(100.0, 1_600.0)  # from 50 to 3,200
    assert len(grid) == charts_more.GRID_POINTS and grid == sorted(grid)
    assert (grid[0], grid[60], grid[-1]) == (50.0, 400.0, 3200.0)  # exact: the geometric mean is in the middle
    assert grid[1] == 51.76 and all(float(f"{d:.4g}") == d for d in grid)
    rows = funnel(PROPORTION)["datasets"]["funnel_limits"]
    assert {r["denominator"] for r in rows} == set(grid)
    assert all(r["value"] == round(r["value"], 4) for r in rows)  # limits: to the precision values are published at


def test_funnel_poisson_limits_and_nesting_over_the_grid():
    lines = funnel(RATE, 420.0, "crude_rate", 100_000.0)["datasets"]["funnel_limits"]
    at = {}
    for r in lines:
        at.setdefault(r["denominator"], {})[r["line"], r["side"]] = r["value"]
    for n, limits in at.items():
        if ("95% limits", "lower") in limits:
            assert limits["99.8% limits", "lower"] < limits["95% limits", "lower"] < 420.0
            assert 420.0 < limits["95% limits", "upper"] < limits["99.8% limits", "upper"]
    lower, upper = poisson_rate_ci(420.0 * 10_000 / 100_000, 10_000, 100_000)  # 42 events: Byar's
    rows = charts_more.funnel_limits(420.0, [10_000.0], multiplier=100_000.0, value_type="crude_rate")
    assert [r["value"] for r in rows[:2]] == pytest.approx([float(lower), float(upper)])
    assert 300 < float(lower) < 420 < float(upper) < 570  # roughly 420 -/+ 1.96 * sqrt(42) / 10,000 * 100,000


def test_spine_position_maps_worst_to_0_and_best_to_1_for_both_polarities():
    position = charts_more.spine_position
    assert (position(1.0, 1.0, 5.0, "high_is_good"), position(5.0, 1.0, 5.0, "high_is_good")) == (0.0, 1.0)
    assert (position(5.0, 1.0, 5.0, "low_is_good"), position(1.0, 1.0, 5.0, "low_is_good")) == (0.0, 1.0)
    assert (position(1.0, 1.0, 5.0, "no_judgement"), position(5.0, 1.0, 5.0, "no_judgement")) == (0.0, 1.0)
    assert position(2.0, 1.0, 5.0, "high_is_good") == 0.25 and position(2.0, 1.0, 5.0, "low_is_good") == 0.75
    assert position(2.0, 2.0, 2.0, "low_is_good") == 0.5  # min == max
    assert position(9.0, 1.0, 5.0, "high_is_good") == 1.0  # outside the range: held at the end


def test_spine_chart_renders_with_its_positions_and_notes():
    spec = charts_more.spine_chart(SPINE, title="T", area_label="NHS Example ICB")
    assert not has_none(spec)
    assert svg(spec).startswith("<svg")
    rows = {r["title"]: r for r in spec["datasets"]["spine"]}
    assert spec["encoding"]["y"]["scale"]["domain"] == [r["title"] for r in SPINE]  # the given order
    assert spec["height"] == 18 * len(SPINE)
    high, low = rows["Higher is better"], rows["Lower is better"]
    assert (high["x_q25"], high["x_q75"], high["x_ics"], high["x_england"]) == (0.25, 0.75, 0.5, 0.375)
    assert (low["x_q25"], low["x_q75"], low["x_ics"], low["x_england"]) == (0.75, 0.25, 0.5, 0.625)
    assert rows["No judgement"]["scale"] == "Lowest ← → Highest" and high["scale"] == "Worst ICS ← → Best ICS"
    equal = rows["All ICSs equal"]
    assert equal["x_ics"] == equal["x_england"] == equal["x_q25"] == 0.5 and "note" in equal
    assert "x_england" not in rows["No England"] and "x_ics" not in rows["No ICS value"]
    assert "in italics" in spec["layer"][0]["encoding"]["x"]["title"]
    assert json.dumps(["No judgement"]) in spec["encoding"]["y"]["axis"]["labelFontStyle"]["condition"]["test"]


def test_spine_chart_of_one_kind_has_a_plain_axis_title():
    judged = charts_more.spine_chart(SPINE[:1], title="T", area_label="A")
    unjudged = charts_more.spine_chart(SPINE[2:3], title="T", area_label="A")
    assert judged["layer"][0]["encoding"]["x"]["title"] == "Worst ICS ← → Best ICS"
    assert unjudged["layer"][0]["encoding"]["x"]["title"] == "Lowest ← → Highest"
    assert "labelFontStyle" not in judged["encoding"]["y"]["axis"]
    assert svg(judged).startswith("<svg") and svg(unjudged).startswith("<svg")


def test_templates_are_not_mutated_between_calls():
    before = (json.dumps(charts_more._funnel_template(), sort_keys=True),
              json.dumps(charts_more._spine_template(), sort_keys=True))
    one = funnel(PROPORTION)
    two = funnel(PROPORTION, england=None)
    three = charts_more.spine_chart(SPINE, title="Three", area_label="A")
    four = charts_more.spine_chart(SPINE[:1], title="Four", area_label="B")
    after = (json.dumps(charts_more._funnel_template(), sort_keys=True),
             json.dumps(charts_more._spine_template(), sort_keys=True))
    assert before == after and "datasets" not in charts_more._funnel_template()
    assert len(one["layer"]) == 2 and len(two["layer"]) == 1 and one["datasets"]["funnel_limits"]
    assert len(three["datasets"]["spine"]) == len(SPINE) and len(four["datasets"]["spine"]) == 1
    assert three["title"]["text"] == "Three" and "labelFontStyle" not in four["encoding"]["y"]["axis"]


def test_trend_chart_draws_the_area_and_england_as_lines_with_points():
    rows = [{"title": "T", "series": s, "segment": "", "period": p, "period_end": e, "value": v}
            for s, p, e, v in [("X", "2024", "2024-12-31", 1.0), ("X", "2025", "2025-12-31", 2.0),
                               ("England", "2024", "2024-12-31", 1.5), ("England", "2025", "2025-12-31", 1.7)]]
    spec = charts.trend_chart(rows, title="t", area_label="X")
    [lines] = spec["spec"]["layer"]  # no break: no rule layers
    assert lines["mark"] == {"type": "line", "point": True, "strokeWidth": 2}
    assert lines["encoding"]["color"]["scale"] == {"domain": ["X", "England"], "range": ["#0072B2", "#333333"]}
    assert lines["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [5, 3]]
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    assert "#0072B2" in svg and "#333333" in svg
    broken = charts.trend_chart(rows + [{"title": "T", "period_end": "2025-01-01", "label": "Boundary changed",
                                         "side": "left", "headroom": 2.5}], title="t", area_label="X")
    assert len(broken["spec"]["layer"]) == 5  # the lines, the rule, its headroom and a label on each side


def test_over_time_chart_lists_every_ics_to_highlight():
    rows = [{"area": a, "line": a, "series": s, "period": p, "period_end": e, "value": v}
            for a, s, p, e, v in [("B", "ICS", "2024", "2024-12-31", 1.0), ("A", "ICS", "2024", "2024-12-31", 2.0),
                                  ("England", "England", "2024", "2024-12-31", 1.5)]]
    spec = charts.over_time_chart(rows, title="T", unit="%", decimals=1)
    (param,) = spec["params"]
    assert param["name"] == charts.PICK and param["value"] == ""
    assert param["bind"]["options"] == ["", "A", "B"] and param["bind"]["labels"] == ["None", "A", "B"]
    picked = spec["layer"][2]
    # the rows' names and series, and their periods, are written once each (charts.keyed): two lookups come first
    assert "lookup" in picked["transform"][0] and "lookup" in picked["transform"][1]
    assert charts.PICK in picked["transform"][2]["filter"] and picked["encoding"]["color"] == {"value": charts.PICKED_COLOUR}
    def visible_picked(svg: str) -> set[str]:
        marks = re.findall(r'<path aria-label="[^"]*Area: (\w+);[^>]*D55E00[^>]*opacity="(\d)"', svg)
        return {area for area, opacity in marks if opacity == "1"}

    assert visible_picked(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])) == set()
    spec["params"][0]["value"] = "A"
    assert visible_picked(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])) == {"A"}


def test_chart_data_is_written_as_csv_that_reads_back_as_the_records():
    """A spec's named data sets become CSV text with a parse that restores numbers and empty text as null."""
    from icsite.charts.serialise import csv_data, inline_csv

    rows = [{"area": "A, B", "value": 1.5, "label": "two\nlines"}, {"area": "C", "value": None, "order": 2}]
    text, parse = csv_data(rows)
    assert text == 'area,label,order,value\n"A, B","two\nlines",,1.5\nC,,2,\n'
    assert parse == {"label": "string", "order": "number", "value": "number"}
    spec = inline_csv({"data": {"name": "d"}, "datasets": {"d": rows},
                       "layer": [{"data": {"name": "d"}}, {"data": {"values": [{"x": 1}]}}]})
    assert spec["datasets"] == {"d": text} and spec["layer"][1]["data"] == {"values": [{"x": 1}]}
    assert spec["data"]["format"] == spec["layer"][0]["data"]["format"] == {"type": "csv", "parse": parse}
    with pytest.raises(ValueError, match="mixes"):
        csv_data([{"x": 1}, {"x": "one"}])


def test_funnel_points_are_judged_by_the_funnel_lines():
    from icsite.charts.spine_funnel import control_limits, funnel_verdicts

    sizes = [1_000.0, 1_000.0, 1_000.0, 100_000.0, 100_000.0]
    values = [71.0, 80.0, 88.0, 75.6, 74.0]  # England 75%: at n = 1,000 the 95% limits are about 72.2 to 77.6
    lower, upper = control_limits(75.0, sizes, 0.95, multiplier=100, value_type="proportion")
    assert 72.0 < lower[0] < 72.5 and 77.5 < upper[0] < 78.0 and upper[3] - lower[3] < 0.6
    judge = dict(multiplier=100.0, value_type="proportion")
    assert funnel_verdicts(values, sizes, 75.0, "high_is_good", 0.95, **judge) == [
        "Worse", "Better", "Better", "Better", "Worse"]  # a small step is outside the narrow funnel of a large ICS
    assert funnel_verdicts(values, sizes, 75.0, "low_is_good", 0.998, **judge)[:3] == ["Similar", "Worse", "Worse"]
    assert funnel_verdicts([76.0], [1_000.0], 75.0, "no_judgement", 0.95, **judge) == ["Similar"]
    assert funnel_verdicts([76.0], [1_000.0], 75.0, "high_is_good", 0.95, multiplier=1.0, value_type="mean") == [
        "Not compared"]
    # the same limits the chart draws
    drawn = {(r["denominator"], r["side"]): r["value"] for r in charts_more.funnel_limits(
        75.0, [1_000.0], multiplier=100.0, value_type="proportion") if r["line"] == "95% limits"}
    assert (drawn[1_000.0, "lower"], drawn[1_000.0, "upper"]) == (lower[0], upper[0])
