"""Chart images: which charts get an SVG and a PNG (`images` setting), and smaller files with the same pixels."""

from __future__ import annotations

import json
import struct
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
import vl_convert

from icsite.charts import drawing, images
from icsite.charts.compact import png_bytes, png_chunks, png_pixels, slim_svg, smaller_png
from icsite.charts.serialise import spec_json
from icsite.charts import specs as charts
from icsite.charts import spine_funnel as charts_more

TREND = [{"title": t, "series": s, "area": s, "segment": "", "period": str(y), "period_end": f"{y}-12-31",
          "value": float(v)} for t in ("One", "Two") for s, v in (("X", 3), ("England", 4)) for y in (2023, 2024)]
FUNNEL = [{"area": "A", "value": 80.1, "denominator": 1234.5, "comparison": "Better"},
          {"area": "B", "value": 70.0, "denominator": 98_765.4, "comparison": "Worse"}]


def chart_specs() -> list[str]:
    """Charts with facets, legends, axes, clip paths and labels hidden to avoid overlaps."""
    return [spec_json(charts.trend_chart(TREND, title="T", area_label="X")),
            spec_json(charts_more.funnel_chart(FUNNEL, title="F", subtitle="S", unit="%", england=75.0, decimals=1,
                                               multiplier=100.0, value_type="proportion"))]


@pytest.fixture(scope="module", autouse=True)
def our_fonts():
    images.use_fonts()


def pixels(svg: str) -> np.ndarray:
    decoded = png_pixels(bytes(vl_convert.svg_to_png(svg)))
    assert decoded is not None  # vl-convert's PNG: 8-bit RGBA rows, each with the Sub filter
    return decoded


def test_a_slimmed_svg_draws_the_same_pixels_in_far_fewer_bytes():
    for spec in chart_specs():
        svg = images.render_svg(spec)
        slim = slim_svg(svg)
        assert np.array_equal(pixels(svg), pixels(slim))
        assert len(slim) < 0.6 * len(svg)
        assert "aria-" not in slim and "class=" not in slim and 'opacity="1"' not in slim
        assert slim.count("font-family=") == 1  # once, on the <svg> element
        assert 'id="clip1"' not in svg or ('id="clip1"' in slim and "url(#clip1)" in slim)  # clip paths kept


def test_slimming_drops_only_what_draws_nothing():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="10" height="10">'
           '<g fill="none" transform="translate(1,1)"><g class="mark-group" role="graphics-object">'
           '<g transform="translate(0,0)"><path class="background" aria-hidden="true" d="M0,0h0v0h0Z"/>'
           '<path class="background" d="M0,0h5v5h-5Z"/>'  # inherits fill="none", no stroke: unpainted
           '<path d="M0,0h5v5h-5Z" stroke="#ddd" stroke-width="1" opacity="1"/>'  # a visible frame
           '<path d="M0,0h2v2h-2Z" fill="#000" aria-label="point"/>'
           '<text opacity="0" fill="#000">hidden</text><text fill="#000" font-size="10px">shown</text>'
           '<path d="" display="none"/></g></g><g class="empty"></g></g>'
           '<defs><clipPath id="clip1"><rect width="3" height="3"/></clipPath></defs></svg>')
    assert slim_svg(svg) == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g fill="none" transform="translate(1,1)">'
        '<path d="M0,0h5v5h-5Z" stroke="#ddd"/><path d="M0,0h2v2h-2Z" fill="#000"/>'
        '<text fill="#000" font-size="10px">shown</text></g>'
        '<defs><clipPath id="clip1"><rect width="3" height="3"/></clipPath></defs></svg>')
    # a stroke width that overrides an inherited one stays
    assert 'stroke-width="1"' in slim_svg('<svg><g stroke-width="2"><line x2="1" stroke="#000" stroke-width="1"/>'
                                          '</g></svg>')


def reference_decode(png: bytes) -> np.ndarray:
    """Any 8-bit RGB(A) non-interlaced PNG, every filter, the slow and obvious way (the PNG specification's)."""
    chunks = png_chunks(png)
    width, height, _, colour = struct.unpack(">IIBB", dict(chunks)[b"IHDR"][:10])
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride, out, previous = width * bpp, [], [0] * (width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        row: list[int] = []
        for x, byte in enumerate(line):
            a = row[x - bpp] if x >= bpp else 0
            b, c = previous[x], previous[x - bpp] if x >= bpp else 0
            p = a + b - c
            paeth = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c
            row.append((byte + [0, a, b, (a + b) // 2, paeth][kind]) % 256)
        out.append(row)
        previous = row
    return np.array(out, np.uint8).reshape(height, width, bpp)


def test_a_png_compressed_again_keeps_every_pixel_and_drops_an_alpha_channel_that_says_nothing():
    png = bytes(vl_convert.svg_to_png(images.render_svg(chart_specs()[1])))
    smaller = smaller_png(png)
    assert len(smaller) < 0.7 * len(png)
    original = png_pixels(png)
    assert (original[:, :, 3] == 255).all()
    assert np.array_equal(reference_decode(smaller), original[:, :, :3])
    assert smaller_png(smaller) == smaller  # filters png_pixels cannot read: left as they are
    half = np.zeros((3, 4, 4), np.uint8)
    half[:, :, 3] = 128  # see-through pixels keep their alpha channel
    assert np.array_equal(reference_decode(png_bytes(half)), half)


def page(path: str, n: int, spec: str) -> SimpleNamespace:
    charts_ = [SimpleNamespace(id=f"c{i}", spec_json=spec.replace('"T"', f'"T{i}"'), image=f"c{i}.svg",
                               png=f"c{i}.png" if i == 0 else "") for i in range(n)]
    return SimpleNamespace(path=path, image=f"{path}c0.png", charts=charts_)


@pytest.mark.parametrize("mode, svgs, pngs", [("all", 3, 2), ("first", 2, 2), ("none", 0, 0)])
def test_the_images_setting_chooses_which_charts_get_images(tmp_path, mode, svgs, pngs):
    spec = chart_specs()[0]
    pages = [page("a/", 2, spec), page("b/", 1, spec)]
    files, stats = drawing.chart_images(pages, lambda p: p.charts, mode, tmp_path)
    assert sum(f.endswith(".svg") and not f.endswith("-phone.svg") for f in files) == svgs
    assert sum(f.endswith("-phone.svg") for f in files) == svgs  # each image has its phone layout's beside it
    assert sum(f.endswith(".png") for f in files) == pngs
    assert stats.charts == 3 and all(path.is_file() for path in files.values())
    for p in pages:
        for c in p.charts:
            assert (f"{p.path}{c.image}" in files) == bool(c.image)
            assert (f"{p.path}{c.png}" in files) == bool(c.png)
        assert (p.image in files) if p.image else mode == "none"  # no link preview without its picture
    with pytest.raises(ValueError):
        drawing.chart_images(pages, lambda p: p.charts, "some", tmp_path)


def test_a_png_wanted_later_is_drawn_from_the_cached_svg(tmp_path):
    spec = json.dumps({"data": {"values": [{"a": 1}, {"a": 3}]}, "mark": "point",
                       "encoding": {"x": {"field": "a", "type": "quantitative"}}})
    files, stats = drawing.render_images({"c": spec}, tmp_path, png=[])
    assert sorted(files) == ["c.svg"] and stats.rendered == 1
    svg = files["c.svg"].read_bytes()
    files, stats = drawing.render_images({"c": spec}, tmp_path)
    assert sorted(files) == ["c.png", "c.svg"] and stats.rendered == 1 and files["c.svg"].read_bytes() == svg
    assert drawing.render_images({"c": spec}, tmp_path)[1].rendered == 0
    assert np.array_equal(reference_decode(files["c.png"].read_bytes()), pixels(svg.decode())[:, :, :3])
