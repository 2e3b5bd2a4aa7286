"""The ranked and spine charts' static images, drawn by us (`ranked_image`, `spine_image`) from the spec as the build
serialises it, with the same layout as vl-convert's drawing of that spec."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import vl_convert

from icsite.charts import images, ranked_image, specs, spine_funnel, spine_image, svg_parts, trend_image
from icsite.charts.compact import png_pixels, slim_svg
from icsite.charts.font_metrics import text_width
from icsite.charts.serialise import spec_json

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"
COMPARISONS = ["Better", "Similar", "Worse"]


def ranked(values, *, england: float | None = 1.0, target: float | None = None, intervals: bool = True,
           unit: str = "%", comparisons=COMPARISONS, names=None) -> str:
    """A ranked chart's spec JSON as the build writes it: area i is ranked i + 1."""
    rows = []
    for i, value in enumerate(values):
        row = {"area": names[i] if names else f"Area {i}", "value": value, "order": i + 1, "rank": i + 1,
               "comparison": comparisons[i % len(comparisons)]}
        if intervals and value is not None:
            row.update(lower=value - 0.7, upper=value + 0.9)
        rows.append(row)
    return spec_json(specs.ranked_chart(rows, title="Something, 2024/25", subtitle="5 ICSs, highest first", unit=unit,
                                        england=england, target=target, decimals=1))


def indicator(title: str, polarity: str = "high_is_good", comparison: str = "Better", **numbers) -> dict:
    """A spine chart row: the ICSs' range 1-9, quartiles 3 and 6, England 4 and this ICS 5 unless given."""
    row = {"title": title, "polarity": polarity, "comparison": comparison, "value": 5.0, "england": 4.0, "min": 1.0,
           "q25": 3.0, "q75": 6.0, "max": 9.0, "value_text": "5", "england_text": "4"}
    row.update(numbers)
    return row


def spine(rows: list[dict], area: str = "Somewhere") -> str:
    return spec_json(spine_funnel.spine_chart(rows, title="Somewhere on every indicator", area_label=area))


def drawn(spec: str) -> ET.Element:
    svg = images.own_svg(spec)
    assert svg is not None
    return ET.fromstring(svg)  # valid XML


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def symbols(root: ET.Element, stroke_width: str) -> list[tuple[str, str]]:
    """(fill, path) of the point symbols drawn with that outline width (the legend's are 1.5)."""
    return [(p.get("fill"), p.get("d")) for p in root.iter(f"{SVG}path") if p.get("stroke-width") == stroke_width]


def pixels(svg: str) -> np.ndarray:
    return png_pixels(bytes(vl_convert.svg_to_png(svg))).astype(int)


def assert_as_vl_convert_draws(spec: str) -> None:
    """Our image has vl-convert's size and, rasterised, its pixels: a few may differ by anti-aliasing (none of the
    shipped charts' do), but a label half a pixel off changes hundreds."""
    ours, theirs = images.own_svg(spec), slim_svg(images.render_svg(spec))
    for attribute in ("width", "height"):
        assert ET.fromstring(ours).get(attribute) == ET.fromstring(theirs).get(attribute), attribute
    a, b = pixels(ours), pixels(theirs)
    assert (np.abs(a - b).max(axis=2) > 16).mean() < 0.0001


@pytest.fixture(scope="module", autouse=True)
def our_fonts():
    images.use_fonts()


def test_ranked_rows_in_order_with_intervals_points_and_reference_rules():
    spec = ranked([2.0, 5.0, 3.5], england=3.0, target=4.0, names=["Third", "First", "Second"])
    root = drawn(spec)
    words = texts(root)
    assert [w for w in words if w in ("First", "Second", "Third")] == ["Third", "First", "Second"]  # by `order`
    points = symbols(root, "0.7")
    assert [fill for fill, _ in points] == [specs.COMPARISON_COLOURS[c] for c in COMPARISONS]
    assert points[0][1].startswith("M4.183,0A") and points[1][1].startswith("M-4.183,-4.183h")  # circle, square
    intervals = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#4d4d4d"]
    assert len(intervals) == 1 and intervals[0].get("d").count("M") == 3
    rules = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#222222" and p.get("stroke-width") == "1.5"
             and "v" in p.get("d") and "Z" not in p.get("d")]
    assert [r.get("stroke-dasharray") for r in rules] == ["6,3", "2,2"]  # England, then the target
    assert "England 3.0" in words and "Target 4.0" in words and "%" in words
    assert_as_vl_convert_draws(spec)


def test_ranked_without_intervals_or_references_negative_and_missing_values():
    spec = ranked([-3.2, None, 0.4, 2.2, -1.5], england=None, intervals=False)
    root = drawn(spec)
    assert len(symbols(root, "0.7")) == 4  # no point for the missing value; its row is still there
    assert "Area 1" in texts(root) and "\u22122.0" in texts(root)  # a minus sign on the axis, as d3 writes it
    assert not [p for p in root.iter(f"{SVG}path") if p.get("stroke") in ("#4d4d4d", "#222222")
                and p.get("transform") is None]  # no interval or reference rule (points are moved into place)
    assert_as_vl_convert_draws(spec)  # a point scale for the rows
    assert_as_vl_convert_draws(ranked([5.0, 6.5, 7.0], england=None, intervals=False))  # zero in the x scale
    assert_as_vl_convert_draws(ranked([-3.2, -1.5, 0.4], england=-0.5))  # intervals: x from the data, not zero


def test_long_area_names_are_cut_to_the_label_limit_and_an_empty_unit_has_no_axis_title():
    spec = ranked([3.0, 2.0, 1.0], unit="", names=[LONG, "Short", "Other"])
    root = drawn(spec)
    labels = texts(root)
    cut = next(t for t in labels if t.startswith("Bath"))
    assert cut.endswith("…") and LONG.startswith(cut[:-1]) and text_width(cut, 11) < 220 <= text_width(LONG, 11)
    assert "Short" in labels and "%" not in labels
    assert_as_vl_convert_draws(spec)


def test_the_legend_lists_the_comparisons_present_with_their_shapes():
    root = drawn(ranked([3.0, 2.0, 1.0], comparisons=["Lower", "Higher", "Not compared"]))
    words = texts(root)
    assert words[words.index("Compared with England") + 1:][:3] == ["Lower", "Higher", "Not compared"]
    legend = symbols(root, "1.5")
    legend = [(fill, path) for fill, path in legend if fill and fill != "none"]
    assert legend == [("#56B4E9", "M0,4.33L-5,-4.33L5,-4.33Z"), ("#9E4A7B", "M0,-4.33L-5,4.33L5,4.33Z"),
                      ("#ffffff", "M-5,-2L-5,2L-2,2L-2,5L2,5L2,2L5,2L5,-2L2,-2L2,-5L-2,-5L-2,-2Z")]
    alone = ranked([3.0], comparisons=["Worse"])  # one entry: not centred in its row, as Vega's layout does
    assert_as_vl_convert_draws(alone)


def test_spine_bars_ticks_points_and_italic_labels_for_indicators_without_judgement():
    rows = [indicator("Alpha"), indicator("Beta", polarity="no_judgement", comparison="Higher"),
            indicator("Gamma", polarity="low_is_good", comparison="Worse", value=8.0)]
    spec = spine(rows)
    root = drawn(spec)
    labels = {t.text: t.get("font-style") for t in root.iter(f"{SVG}text") if t.text in ("Alpha", "Beta", "Gamma")}
    assert labels == {"Alpha": None, "Beta": "italic", "Gamma": None}
    fills = [p.get("fill") for p in root.iter(f"{SVG}path")]
    assert fills.count("#111111") == 3  # England's ticks, one element each (translucent)
    light = next(p for p in root.iter(f"{SVG}path") if p.get("fill") == "#e4e4e4")
    assert light.get("d").count("M") == 3  # the ranges, one opaque path
    assert [fill for fill, _ in symbols(root, "0.8")] == ["#0072B2", "#9E4A7B", "#D55E00"]
    assert any(w.startswith("Worst ICS ← → Best ICS (in italics") for w in texts(root))
    assert_as_vl_convert_draws(spec)


def test_spine_missing_values_and_a_long_name_cut_to_the_label_limit():
    name = "An indicator with a name so long that it runs past the label limit of the spine chart's axis"
    rows = [indicator("Alpha", value=None), indicator("Beta", q25=None), indicator("Gamma", min=None, max=None),
            indicator(name, england=None, comparison="Not compared"), indicator("Epsilon", min=5.0, max=5.0)]
    spec = spine(rows)
    root = drawn(spec)
    assert len(symbols(root, "0.8")) == 3  # no value (Alpha) and no range (Gamma): no point
    assert [p.get("fill") for p in root.iter(f"{SVG}path")].count("#111111") == 3  # no range, no England: no tick
    cut = next(t for t in texts(root) if t.startswith("An indicator"))
    assert cut.endswith("…") and text_width(cut, 11) < 260 <= text_width(name, 11)
    assert_as_vl_convert_draws(spec)


def test_the_images_are_deterministic_and_svg_to_png_draws_them():
    for spec in (ranked([3.0, 2.0, 1.0], target=2.5), spine([indicator("Alpha"), indicator("Beta")])):
        svg = images.own_svg(spec)
        assert images.own_svg(spec) == svg and images.own_svg(json.dumps(json.loads(spec), indent=1)) == svg
        root = ET.fromstring(svg)
        drawn_pixels = pixels(svg)
        assert drawn_pixels.shape[:2] == (int(root.get("height")), int(root.get("width")))
        blue = 0.7 * np.array([0x00, 0x72, 0xB2]) + 0.3 * 255  # "Better", at the points' opacity, on white
        assert (np.abs(drawn_pixels[:, :, :3] - blue).sum(axis=2) < 12).sum() > 20  # the "Better" points, drawn


def test_draw_sends_ranked_and_spine_charts_to_us_and_others_to_vl_convert():
    for spec, drawer in ((ranked([2.0, 1.0]), ranked_image.ranked_svg), (spine([indicator("A")]), spine_image.spine_svg)):
        svg, png = images.draw((spec, None, True))
        assert svg.decode() == drawer(json.loads(spec)) and png.startswith(b"\x89PNG")
        assert not trend_image.is_trend(json.loads(spec))
    tiles = spec_json(specs.tile_chart([{"col": 0, "row": 0, "name": "A", "label": "A", "value_text": "1",
                                         "comparison": "Better"}], title="T", subtitle="S", columns=1, rows_count=1))
    assert images.own_svg(tiles) is None and b"<svg" in images.draw((tiles, None, False))[0]
    with pytest.raises(ValueError, match="not a ranked chart"):
        ranked_image.ranked_svg(json.loads(tiles))
    with pytest.raises(ValueError, match="not a spine chart"):
        spine_image.spine_svg(json.loads(ranked([1.0])))


def test_scales_and_symbols_follow_vega():
    starts, width = svg_parts.band(40, 0, 720, 0.1, 0.05)  # a spine chart's rows: 18 px each
    assert width == pytest.approx(16.2) and starts[0] == pytest.approx(0.9) and starts[1] - starts[0] == pytest.approx(18)
    assert svg_parts.band(2, 0, -13, 1, 0.5)[0] == pytest.approx([-3.25, -9.75])  # a reversed point scale
    assert svg_parts.symbol("triangle-up", 100) == ("M0,-4.33L-5,4.33L5,4.33Z", pytest.approx(4.330127))
    assert svg_parts.symbol("diamond", 70)[0] == "M-4.183,0L0,-4.183L4.183,0L0,4.183Z"
    with pytest.raises(ValueError, match="shape 'star'"):
        svg_parts.symbol("star", 100)
