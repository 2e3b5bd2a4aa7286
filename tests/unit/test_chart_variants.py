"""Charts on phones: each spec's phone layout (`variants`), its static image, and the labels that used to collide."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
import vl_convert

from icsite.charts import images, ranked_image, specs, trend_image
from icsite.charts import spine_funnel as charts_more
from icsite.charts.font_metrics import text_width
from icsite.charts.serialise import spec_json
from icsite.charts.variants import (PERIOD_LABELS, PHONE_ROW, PHONE_WIDTH, TITLE_LIMIT, is_phone, phone_image,
                                    phone_json, phone_spec, phone_title)

LONG_AREA = "Bath and North East Somerset, Swindon and Wiltshire"
RANKED = [{"area": f"Area {i}", "value": 70.0 + i, "lower": 69.0 + i, "upper": 71.0 + i, "order": i, "rank": i,
           "comparison": "Better" if i < 3 else "Worse"} for i in range(1, 8)]


def ranked(england=75.0, target=76.0):
    return specs.ranked_chart(RANKED, title="A&E: a long title about four-hour waits in every ICS in England",
                              subtitle="7 ICSs, highest first", unit="%", england=england, target=target, decimals=1)


@pytest.fixture(scope="module", autouse=True)
def our_fonts():
    images.use_fonts()


def test_a_phone_layout_shares_the_specs_data_and_replaces_only_its_layout():
    spec = ranked()
    text = spec_json(spec)
    phone = json.loads(phone_json(text))
    assert is_phone(phone) and not is_phone(json.loads(text))
    assert phone["datasets"] == json.loads(text)["datasets"]  # the same data, written once in the file
    assert "datasets" not in json.loads(text)["usermeta"]["phone"]
    assert phone["height"] == PHONE_ROW * len(RANKED)
    names = phone["layer"][-1]
    assert names["mark"]["type"] == "text" and names["encoding"]["text"]["field"] == "area"
    assert names["mark"]["baseline"] == "bottom" and names["mark"]["dy"] < 0  # above the row's point
    assert names["data"]["format"]["type"] == "csv"  # reads the shared CSV text like the other layers
    for layer in phone["layer"]:  # no axis of names beside the plot
        assert layer["encoding"].get("y", {}).get("axis", {}).get("labels", False) is False
    assert phone_json(spec_json({"mark": "point"})) == spec_json({"mark": "point"})  # no phone layout: as it is
    assert phone_image("ranked.svg") == "ranked-phone.svg" and phone_image("../x.svg") == "../x-phone.svg"


def test_the_phone_ranked_chart_is_drawn_by_vl_convert_at_a_phone_width_with_names_above_points():
    phone = phone_json(spec_json(ranked()))
    assert images.own_svg(phone) is None  # our drawer draws the desktop layout only
    svg = images.render_svg(phone)
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg)[1])
    assert PHONE_WIDTH <= width <= PHONE_WIDTH + 80
    assert all(f">Area {i}<" in svg for i in range(1, 8))


def test_reference_labels_sit_on_the_side_of_their_rule_with_room_and_never_on_each_other():
    spec = ranked(england=76.5, target=77.0)  # both near the right end of the values (70-78)
    rules = spec["layer"][-1]["data"]["values"]
    assert [r["side"] for r in rules] == ["left", "left"]
    assert ranked(england=71.0, target=None)["layer"][-1]["data"]["values"][0]["side"] == "right"
    svg = images.own_svg(spec_json(spec))
    labels = re.findall(r'<text transform="translate\(([\d.-]+),([\d.-]+)\)" text-anchor="(\w+)"[^>]*>'
                        r'((?:England|Target)[^<]*)</text>', svg)
    assert len(labels) == 2 and {anchor for *_, anchor, _ in labels} == {"end"}
    (_, y1, _, _), (_, y2, _, _) = labels
    assert abs(float(y1) - float(y2)) >= 11  # a line apart: 'England' and 'Target' no longer print over each other
    vega = vl_convert.vegalite_to_svg(json.loads(spec_json(spec)) | {"width": 640}, allowed_base_urls=[])
    assert vega.count('text-anchor="end"') >= 2


def test_phone_titles_are_wrapped_to_the_narrowest_screen():
    title = phone_title({"text": f"Urgent and emergency care: {LONG_AREA} and England over time", "anchor": "start",
                         "subtitle": "42 ICSs, highest (best) first, with 95% confidence intervals"})
    lines = [title["text"], *title["subtitle"]]
    assert " ".join(lines).startswith("Urgent and emergency care: Bath")
    assert text_width(title["text"], 13, bold=True) < TITLE_LIMIT
    assert all(text_width(line, 12) < TITLE_LIMIT for line in title["subtitle"])


def test_a_spine_chart_on_a_phone_names_each_row_above_its_bars_in_italics_as_the_axis_did():
    rows = [{"title": f"Indicator {i}", "polarity": "high_is_good" if i % 2 else "no_judgement", "value": 3.0,
             "england": 2.5, "min": 1.0, "q25": 2.0, "q75": 4.0, "max": 5.0, "comparison": "Better",
             "value_text": "3", "england_text": "2.5"} for i in range(5)]
    spec = charts_more.spine_chart(rows, title="T", area_label=LONG_AREA)
    phone = phone_spec(spec)
    assert phone["height"] == PHONE_ROW * 5 and phone["encoding"]["y"]["axis"]["labels"] is False
    assert "datum.title" in phone["layer"][-1]["mark"]["fontStyle"]["expr"]
    svg = images.render_svg(phone_json(spec_json(spec)))
    assert svg.count('font-style="italic"') == 3  # indicators 0, 2 and 4 have no judgement
    assert images.own_svg(spec_json(spec)) is not None  # the desktop layout: still our drawer's


def test_trend_panels_are_bigger_one_column_on_a_phone_and_fitted_by_the_page():
    rows = [{"title": t, "series": s, "segment": "", "period": d[:4], "period_end": d, "value": v}
            for t in ("A", "B", "C") for s, v in (("Here", 1.0), ("England", 2.0))
            for d in ("2022-03-31", "2023-03-31", "2024-03-31", "2025-03-31")]
    spec = specs.trend_chart(rows, title="Trends", area_label="Here")
    assert (spec["spec"]["width"], spec["spec"]["height"]) == (250, 140)
    assert spec["usermeta"]["fit"]["kind"] == "panels"
    phone = phone_spec(spec)
    assert phone["columns"] == 1 and phone["spec"]["width"] <= PHONE_WIDTH
    svg = images.own_svg(phone_json(spec_json(spec)))  # our drawer draws both layouts
    assert svg is not None and float(re.search(r'width="([\d.]+)"', svg)[1]) <= PHONE_WIDTH + 80


@pytest.mark.parametrize("when, label", [("2024-01-01", "2024"), ("2024-03-01", "Mar 2024"),
                                         ("2025-10-01", "Oct 2025")])
def test_yearly_ticks_are_years_and_monthly_ticks_months(when, label):
    ms = datetime.fromisoformat(when).replace(tzinfo=timezone.utc).timestamp() * 1000
    assert trend_image.period_label(ms, {"format": "%b %Y", "labelExpr": PERIOD_LABELS}) == label
    assert trend_image.period_label(ms, {"format": "%b %Y"}) == label if label != "2024" else "Jan 2024"
    with pytest.raises(ValueError):
        trend_image.period_label(ms, {"labelExpr": "datum.label"})


def test_tiles_funnel_and_over_time_have_phone_layouts_that_fit_a_phone():
    tiles = specs.tile_chart([{"col": c, "row": 0, "label": "AB", "name": "x", "value_text": "1", "comparison":
                               "Better"} for c in range(9)], title="T", subtitle="S", columns=9, rows_count=1)
    phone = phone_spec(tiles)
    assert phone["width"]["step"] * 9 <= PHONE_WIDTH and tiles["usermeta"]["fit"] == {"kind": "tiles", "columns": 9}
    funnel = charts_more.funnel_chart([{"area": "A", "value": 80.0, "denominator": 100.0, "comparison": "Better"}],
                                      title="T", subtitle="S", unit="%", england=75.0, decimals=1, multiplier=100.0,
                                      value_type="proportion")
    assert phone_spec(funnel)["encoding"]["x"]["axis"]["tickCount"] == 3
    assert funnel["encoding"]["x"]["axis"]["tickCount"] == 6  # the desktop layout is left as it was
    assert ranked_image.is_ranked(ranked()) and not ranked_image.is_ranked(phone_spec(ranked()))
