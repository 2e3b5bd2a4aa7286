"""The PNG of a chart we draw ourselves gets its text as glyph outlines (`glyphs.outlined`): it must look as resvg
draws the text itself, pixel for pixel but for anti-aliasing."""

from __future__ import annotations

import numpy as np
import pytest
import vl_convert

from icsite.charts import glyphs, images
from icsite.charts.compact import png_pixels
from icsite.charts.font_metrics import FACES, face_metrics

from test_ranked_spine_image import LONG, indicator, ranked, spine


@pytest.fixture(scope="module", autouse=True)
def our_fonts():
    images.use_fonts()


def differing(svg: str, outlines: str) -> float:
    """The share of pixels that differ by more than anti-aliasing between the two SVGs' PNGs."""
    a, b = (png_pixels(bytes(vl_convert.svg_to_png(s))).astype(int) for s in (svg, outlines))
    assert a.shape == b.shape
    return float((np.abs(a - b).max(axis=2) > 64).mean())


@pytest.mark.parametrize("spec", [
    ranked([91.2, 88.0, 75.5, 60.1], names=[LONG, "Café Ünïon (Kent & Medway)", "Office “ffi” – 1½", "Z"],
           target=80.0),
    spine([indicator("Healthy life expectancy: females"), indicator("Waiting list", "no_judgement", "Not compared"),
           indicator("Cancer: diagnosed within 28 days", "low_is_good", "Worse")]),
])
def test_outlines_draw_as_resvg_draws_the_text(spec):
    svg = images.own_svg(spec)
    outlines = glyphs.outlined(svg)
    assert outlines is not None and "<text" not in outlines and "<use " in outlines
    assert differing(svg, outlines) < 0.001


def test_each_glyph_is_defined_once_and_a_ligature_is_one_glyph():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" font-family="ICS Charts Text">'
           '<text transform="translate(100,20)" text-anchor="middle" font-size="12px" font-weight="bold">'
           'office office</text></svg>')
    outlines = glyphs.outlined(svg)
    face = face_metrics(FACES[True, False])
    placed, width = face.layout("office")
    assert len(placed) == 5 and width == face.width("office")  # o, the "ff" ligature, i, c, e
    assert outlines.count("<use ") == 10 and outlines.count("<path id=") == 5
    assert differing(svg, outlines) < 0.001


def test_a_contour_of_curves_only_starts_midway_and_two_controls_imply_a_point():
    square = [(0, 0, False), (10, 0, False), (10, 10, False), (0, 10, False)]
    assert glyphs.contour_path(square) == "M0 5Q0 0 5 0Q10 0 10 5Q10 10 5 10Q0 10 0 5Z"
    assert glyphs.contour_path([(0, 0, True), (10, 0, True), (10, 10, False)]) == "M0 0L10 0Q10 10 0 0Z"


@pytest.mark.parametrize("text", [
    '<text transform="translate(1,2)" font-size="11px" dx="3">shifted</text>',  # an attribute we do not place
    '<text transform="rotate(90)" font-size="11px">turned</text>',
    '<text transform="translate(1,2)" font-size="11px">中</text>',  # not in our font: resvg finds it elsewhere
    '<text transform="translate(1,2)" font-size="11px">a<tspan dy="3">b</tspan></text>',
])
def test_text_we_do_not_write_is_left_for_resvg(text):
    assert glyphs.outlined(f'<svg xmlns="http://www.w3.org/2000/svg">{text}</svg>') is None


def test_the_png_of_a_chart_we_draw_has_its_text_as_outlines_and_others_keep_theirs():
    spec = ranked([3.0, 2.0, 1.0])
    svg, png = images.draw((spec, None, True))
    assert png == images.draw((spec, svg.decode(), True))[1]  # from the cached SVG too
    text_png = bytes(vl_convert.svg_to_png(svg.decode()))
    a, b = (png_pixels(p)[:, :, :3].astype(int) for p in (png, text_png))  # ours compressed to RGB
    assert (np.abs(a - b).max(axis=2) > 64).mean() < 0.001
