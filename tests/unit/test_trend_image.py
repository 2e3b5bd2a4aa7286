"""The trend charts' static images, drawn by us (`trend_image`) from the spec as the build serialises it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import vl_convert

from icsite.charts import images, specs, trend_image
from icsite.charts.compact import png_pixels, slim_svg
from icsite.charts.font_metrics import text_width, truncate
from icsite.charts.serialise import spec_json
from icsite.charts.ticks import nice, number_format, ticks, time_format, time_ticks

SVG = "{http://www.w3.org/2000/svg}"
AREA = "Somewhere and Elsewhere ICS"
DATES = ["2021-03-31", "2022-03-31", "2023-03-31", "2024-03-31"]
LONG = "Proportion of people waiting more than eighteen weeks for their first outpatient appointment"
BREAK = {"period_end": "2022-10-01", "label": "Boundary changed\n1 Oct 2022", "side": "left", "headroom": 30.0}


def trend_rows(titles, gap: tuple | None = None, broken: str | None = None) -> list[dict]:
    """Rows as the profiles' trend pages make them: the area and England, per indicator."""
    rows = []
    for n, title in enumerate(titles):
        for i, d in enumerate(DATES):
            segment = ("before" if i < 2 else "after") if broken == title else ""
            value = None if gap == (title, i) else 10.0 + n + i * 1.5
            rows.append({"title": title, "series": AREA, "segment": segment, "period": d[:4], "period_end": d,
                         "value": value})
            rows.append({"title": title, "series": "England", "segment": "", "period": d[:4], "period_end": d,
                         "value": 12.0 + n})
        if broken == title:
            rows.append({"title": title, **BREAK})
    return rows


def chart(rows: list[dict]) -> str:
    """The spec JSON as the build writes it (data sets as CSV text, keyed)."""
    return spec_json(specs.trend_chart(rows, title="Trends: somewhere over time", area_label=AREA))


def drawn(spec: str) -> ET.Element:
    svg = images.own_svg(spec)
    assert svg is not None
    return ET.fromstring(svg)  # valid XML


def panels(root: ET.Element) -> dict[str, ET.Element]:
    """Each panel's group by its header (the panel's last text)."""
    out = {}
    for group in root.iter(f"{SVG}g"):
        first = list(group)[0] if len(group) else None
        if first is not None and first.tag == f"{SVG}path" and first.get("d", "").startswith("M0.5,0.5h250v140"):
            out[group.findall(f"{SVG}text")[-1].text] = group
    return out


def lines(group: ET.Element) -> list[tuple[str, str | None, str, int]]:
    """(colour, dash, width, points) of each line drawn in a panel."""
    return [(p.get("stroke"), p.get("stroke-dasharray"), p.get("stroke-width"), p.get("d").count("L") + 1)
            for p in group.findall(f"{SVG}path") if "L" in p.get("d", "")]


@pytest.fixture(scope="module", autouse=True)
def our_fonts():
    images.use_fonts()


def test_a_panel_per_indicator_and_a_line_per_series_and_segment():
    root = drawn(chart(trend_rows(["Beta", "Alpha"])))
    found = panels(root)
    assert list(found) == ["Alpha", "Beta"]  # in order of title, as Vega's facet sorts them
    for group in found.values():
        assert sorted(lines(group)) == [("#0072B2", None, "2", 4), ("#333333", "5,3", "2", 4)]
        assert len(group.findall(f"{SVG}circle")) == 8  # a point on each value of the area and England
        assert {c.get("fill") for c in group.findall(f"{SVG}circle")} == {"#0072B2", "#333333"}
    legend = [t.text for t in root.iter(f"{SVG}text")][-3:-1]
    assert legend == [AREA, "England"]


def test_a_layer_filtered_in_a_way_we_do_not_draw_is_refused_not_drawn_wrong():
    spec = json.loads(chart(trend_rows(["Alpha"])))
    spec["spec"]["layer"][0]["transform"] = [{"filter": "datum.series === 'England'"}]
    with pytest.raises(ValueError, match="filtered by"):
        trend_image.trend_svg(spec)


def test_an_empty_value_is_a_gap_and_a_break_splits_the_line_with_a_labelled_rule():
    root = drawn(chart(trend_rows(["Alpha", "Beta"], gap=("Alpha", 3), broken="Beta")))
    alpha, beta = panels(root)["Alpha"], panels(root)["Beta"]
    assert sorted(lines(alpha)) == [("#0072B2", None, "2", 3), ("#333333", "5,3", "2", 4)]
    assert [c.get("fill") for c in alpha.findall(f"{SVG}circle")].count("#0072B2") == 3
    assert sorted(lines(beta)) == [("#0072B2", None, "2", 2), ("#0072B2", None, "2", 2), ("#333333", "5,3", "2", 4)]
    rules = [p for p in beta.findall(f"{SVG}path") if p.get("stroke") == "#222222"]
    assert [(r.get("stroke-width"), r.get("stroke-dasharray")) for r in rules] == [("1.5", "2,2")]
    rule_x = float(rules[0].get("d")[1:].split(",")[0])
    assert 0 < rule_x < 250
    label = [t for t in beta.findall(f"{SVG}text") if t.get("fill") == "#222222"]
    assert len(label) == 1 and label[0].get("font-size") == "10px"
    assert label[0].text == "Boundary changed" and label[0].find(f"{SVG}tspan").text == "1 Oct 2022"
    assert label[0].get("text-anchor") == "end" and float(label[0].get("x")) == pytest.approx(rule_x - 3)
    assert not [p for p in alpha.findall(f"{SVG}path") if p.get("stroke") == "#222222"]


def test_long_titles_are_cut_to_the_header_width_and_short_ones_kept():
    root = drawn(chart(trend_rows([LONG, "Short"])))
    headers = list(panels(root))
    assert headers[1] == "Short"
    assert headers[0].endswith("…") and LONG.startswith(headers[0][:-1]) and len(headers[0]) > 20
    assert text_width(headers[0], 13) < 290 <= text_width(LONG, 13)
    assert truncate("Short", 11, 190) == "Short"


def test_the_image_is_deterministic_and_svg_to_png_draws_it():
    spec = chart(trend_rows(["Alpha", "Beta", "Gamma"], broken="Beta"))
    svg = images.own_svg(spec)
    assert images.own_svg(spec) == svg and images.own_svg(json.dumps(json.loads(spec))) == svg
    root = ET.fromstring(svg)
    pixels = png_pixels(bytes(vl_convert.svg_to_png(svg)))
    assert pixels.shape[:2] == (int(root.get("height")), int(root.get("width")))
    assert (np.abs(pixels[:, :, :3].astype(int) - [0x00, 0x72, 0xB2]).sum(axis=2) < 30).sum() > 100  # the area


def test_the_image_matches_vl_converts_drawing_of_the_same_spec():
    spec = chart(trend_rows([LONG, "Alpha", "Beta"], gap=("Alpha", 1), broken="Beta"))
    ours, theirs = images.own_svg(spec), slim_svg(images.render_svg(spec))
    for attribute in ("width", "height"):
        assert ET.fromstring(ours).get(attribute) == ET.fromstring(theirs).get(attribute)
    a, b = (png_pixels(bytes(vl_convert.svg_to_png(svg))).astype(int) for svg in (ours, theirs))
    assert (np.abs(a - b).max(axis=2) > 64).mean() < 0.001  # the same layout: only anti-aliasing differs


def test_draw_sends_trend_charts_to_us_and_other_charts_to_vl_convert():
    spec = chart(trend_rows(["Alpha"]))
    svg, png = images.draw((spec, None, True))
    assert svg.decode() == images.own_svg(spec) and png.startswith(b"\x89PNG")
    other = spec_json(specs.ranked_chart([{"area": "A", "value": 1.0, "order": 1, "comparison": "Better"}], title="R",
                                         subtitle="S", unit="%", england=None, target=None, decimals=1))
    assert not trend_image.is_trend(json.loads(other))
    assert b"<svg" in images.draw((other, None, False))[0]
    with pytest.raises(ValueError, match="not a trend chart"):
        trend_image.trend_svg(json.loads(other))


def test_scales_ticks_and_text_follow_d3_and_our_font():
    assert nice(22.4, 27.6) == (22, 28) and nice(5, 5) == (5, 5)
    assert ticks(22, 28, 3) == [22, 24, 26, 28] and ticks(61.4, 62.2, 3) == pytest.approx([61.4, 61.6, 61.8, 62.0,
                                                                                           62.2])
    assert number_format(2_000_000, 0) == "2,000,000" and number_format(-1.5, 1) == "\u22121.5"
    assert number_format(-0.0, 1) == "0.0"
    years = time_ticks(trend_image.date_ms("2022-12-31"), trend_image.date_ms("2026-04-01"), 3)
    assert [time_format(t, "%b %Y") for t in years] == [f"Jan {y}" for y in range(2023, 2027)]  # each 1 January
    months = time_ticks(trend_image.date_ms("2024-01-31"), trend_image.date_ms("2024-05-31"), 3)
    assert [time_format(t, "%b") for t in months] == ["Feb", "Mar", "Apr", "May"]
    assert text_width("To", 100) < text_width("T", 100) + text_width("o", 100)  # kerned, as vl-convert measures
    assert text_width("ffi", 100) < 2 * text_width("f", 100) + text_width("i", 100)  # one ligature glyph
