"""Chart specs and images depend only on their inputs: not on build order, cache state, library digits or fonts.

The static images are drawn in our own font (icsite/charts/images.py); the cache key covers everything that makes an
image; altair's made-up names are normalised; floats are rounded to what they mean.
"""

import json
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import altair as alt
import pytest

from icsite.charts import specs as charts
from icsite.charts import spine_funnel as charts_more
from icsite.charts import drawing
from icsite.charts import images as prerender
from icsite.charts.serialise import spec_json

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "golden"))
from golden import FIXTURE, build_fixture, tree  # noqa: E402

RANKED = [{"area": "A", "value": 80.0, "lower": 75.0, "upper": 85.0, "comparison": "Better", "order": 1, "rank": 1},
          {"area": "B", "value": 70.0, "lower": 66.0, "upper": 74.0, "comparison": "Worse", "order": 2, "rank": 2}]
FUNNEL = [{"area": "A", "value": 80.123456789, "denominator": 1234.5678, "comparison": "Better"},
          {"area": "B", "value": 70.0, "denominator": 98_765.4321, "comparison": "Worse"}]
SPINE = [{"title": "One", "polarity": "high_is_good", "value": 3.3, "england": 2.2, "min": 1.1, "q25": 2.0,
          "q75": 4.0, "max": 5.7, "comparison": "Better", "value_text": "3.3", "england_text": "2.2"}]
TILES = [{"code": "E1", "col": 0, "row": 0, "name": "A", "label": "A", "comparison": "Better", "value_text": "1"}]
OVER_TIME = [{"area": "A", "line": "A", "series": "ICS", "period": "2024", "period_end": "2024-12-31", "value": 1.0},
             {"area": "England", "line": "E", "series": "England", "period": "2024", "period_end": "2024-12-31",
              "value": 2.0}]
TREND = [{"title": "T", "series": "X", "area": "X", "segment": "", "period": "2024", "period_end": "2024-12-31",
          "value": 1.0}]
TEMPLATES = [charts._ranked_template, charts._trend_template, charts._over_time_template, charts._tile_template,
             charts_more._funnel_template, charts_more._spine_template]


@pytest.fixture(scope="module", autouse=True)
def our_fonts():
    """Our fonts registered in this process from their default folder (one that outlives any test's tmp_path)."""
    prerender.use_fonts()


def ranked() -> str:
    return spec_json(charts.ranked_chart(RANKED, title="R", subtitle="S", unit="%", england=75.0, target=None,
                                         decimals=1))


def funnel() -> str:
    return spec_json(charts_more.funnel_chart(FUNNEL, title="F", subtitle="S", unit="%", england=75.0, decimals=1,
                                              multiplier=100.0, value_type="proportion"))


def first_specs() -> list[str]:
    return [ranked(), funnel()]


def other_specs() -> list[str]:
    return [spec_json(charts_more.spine_chart(SPINE, title="S", area_label="X")),
            spec_json(charts.tile_chart(TILES, title="T", subtitle="S", columns=1, rows_count=1)),
            spec_json(charts.over_time_chart(OVER_TIME, title="O", unit="%", decimals=1)),
            spec_json(charts.trend_chart(TREND, title="T", area_label="X"))]


def unnamed_selection_chart(field: str):
    """A chart with a param and a view that altair names itself (a counter in altair 5, a hash in altair 6)."""
    pick = alt.selection_interval(encodings=["x"])
    points = alt.Chart(alt.Data(name="d")).mark_point().encode(x=f"{field}:Q")
    return alt.layer(points.add_params(pick), points.mark_line().transform_filter(pick))


# -- build order ---------------------------------------------------------------------------------------------------

def test_specs_are_the_same_whatever_was_built_before():
    before = first_specs()
    for made in TEMPLATES:  # start again, building the others first and advancing altair's counters
        made.cache_clear()
    charts.template(unnamed_selection_chart("u"))
    others = other_specs()
    assert [funnel(), ranked()] == before[::-1]  # and in the other order
    assert other_specs() == others and first_specs() == before  # twice in one process: the same bytes


def test_made_up_names_are_numbered_within_each_chart():
    one = charts.template(unnamed_selection_chart("a"))
    charts.template(unnamed_selection_chart("b"))  # altair 5 advances its counter; altair 6 hashes another spec
    again = charts.template(unnamed_selection_chart("a"))
    assert one == again
    text = json.dumps(one)
    assert not re.search(r"(param|view)_(\d{2,}|[0-9a-f]{16})", text)
    assert one["params"] == [{"name": "param_1", "select": {"encodings": ["x"], "type": "interval"},
                              "views": ["view_1"]}]
    assert one["layer"][0]["name"] == "view_1" and one["layer"][1]["transform"] == [{"filter": {"param": "param_1"}}]


# -- rounding ------------------------------------------------------------------------------------------------------

def floats(node):
    """Every float in a JSON-like structure."""
    if isinstance(node, float):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from floats(value)
    elif isinstance(node, list):
        for value in node:
            yield from floats(value)


def decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def test_funnel_grid_and_limits_are_rounded_to_what_they_mean():
    spec = charts_more.funnel_chart(FUNNEL, title="F", subtitle="S", unit="%", england=74.987654321, decimals=1,
                                    multiplier=100.0, value_type="proportion")
    grid = sorted({r["denominator"] for r in spec["datasets"]["funnel_limits"]})
    assert len(grid) == charts_more.GRID_POINTS
    assert all(float(f"{d:.4g}") == d for d in grid)  # 4 significant figures: only drawing control limits
    assert all(decimals(r["value"]) <= 4 for r in spec["datasets"]["funnel_limits"])  # as values are published
    assert all(decimals(p[k]) <= 4 for p in spec["datasets"]["funnel"] for k in ("value", "denominator"))
    spine = charts_more.spine_chart(SPINE, title="S", area_label="X")
    assert all(decimals(x) <= 4 for row in spine["datasets"]["spine"] for k, x in row.items() if k.startswith("x_"))


def test_funnel_grid_is_the_same_when_the_last_digits_of_a_computation_differ():
    # numpy versions differ in the last bits of geomspace: the grid must not
    exact = charts_more.funnel_grid(1234.5678, 98_765.4321)
    nudged = charts_more.funnel_grid(1234.5678 * (1 + 1e-14), 98_765.4321 * (1 - 1e-14))
    assert exact == nudged


def test_spec_json_rounds_every_float_and_stays_safe_in_a_script_element():
    text = spec_json({"a": 0.1 + 0.2, "b": [1 / 3, 2.0, 7], "c": {"d": 123456789.123456789}, "t": "</script>&"})
    assert json.loads(text) == {"a": 0.3, "b": [0.3333333333, 2.0, 7], "c": {"d": 123456789.1},
                                "t": "</script>&"}
    assert "<" not in text and ">" not in text and "&" not in text
    for spec in first_specs() + other_specs():
        assert all(float(f"{x:.10g}") == x for x in floats(json.loads(spec)))


# -- the image cache -----------------------------------------------------------------------------------------------

def test_cache_key_covers_version_rules_fonts_settings_and_spec(monkeypatch):
    key = prerender.image_key("1.9.0", '{"mark":"point"}')
    assert key == prerender.image_key("1.9.0", '{"mark":"point"}', fonts=prerender.font_digest())
    assert len({key, prerender.image_key("1.9.1", '{"mark":"point"}'),
                prerender.image_key("1.9.0", '{"mark":"point"}', rules="other"),
                prerender.image_key("1.9.0", '{"mark":"point"}', fonts="another font"),
                prerender.image_key("1.9.0", '{"mark":"bar"}')}) == 5
    for name, value in (("STATIC_WIDTH", 600), ("PADDING", {}), ("PNG_SCALE", 2), ("FONT", "Arial")):
        with monkeypatch.context() as patch:
            patch.setattr(prerender, name, value)
            assert prerender.image_key("1.9.0", '{"mark":"point"}') != key, name


def test_font_digest_changes_with_the_font_files(monkeypatch, tmp_path):
    ours = prerender.font_files()
    copies = []
    for path in ours:
        copies.append(tmp_path / path.name)
        copies[-1].write_bytes(path.read_bytes())
    digest = prerender.font_digest()

    def forget():
        prerender.font_digest.cache_clear()
        prerender.font_faces.cache_clear()

    try:
        monkeypatch.setattr(prerender, "font_files", lambda: copies)
        forget()
        assert prerender.font_digest() == digest  # the same bytes: the same images
        copies[1].write_bytes(copies[1].read_bytes() + b"\0")
        forget()
        assert prerender.font_digest() != digest
    finally:
        forget()


def test_an_image_cached_with_other_fonts_is_drawn_again(monkeypatch, tmp_path):
    specs = {"chart": json.dumps({"data": {"values": [{"a": 1}]}, "mark": "point",
                                  "encoding": {"x": {"field": "a", "type": "quantitative"}}})}
    with monkeypatch.context() as patch:
        patch.setattr(prerender, "font_digest", lambda: "the digest of some other font")
        _, stats = drawing.render_images(specs, tmp_path)
    assert stats.rendered == 1
    images, stats = drawing.render_images(specs, tmp_path)
    assert stats.rendered == 1  # not the image drawn with the other fonts
    assert drawing.render_images(specs, tmp_path)[1].rendered == 0
    assert images["chart.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- fonts ---------------------------------------------------------------------------------------------------------

def test_static_images_name_only_our_font_first():
    spec = json.loads(first_specs()[0])
    spec["config"]["axis"] = {"labelFont": "Comic Sans MS"}
    spec["layer"][-1]["mark"]["font"] = "Papyrus"
    spec["datasets"]["rows"] = [{"font": "a value, not a font"}]  # data, whatever form the charts' own data take
    prerender.pin_fonts(spec)
    assert spec["config"]["font"] == spec["config"]["axis"]["labelFont"] == spec["layer"][-1]["mark"]["font"]
    assert spec["config"]["font"].startswith(f'"{prerender.FONT_FAMILY}",')
    assert spec["datasets"]["rows"][0]["font"] == "a value, not a font"
    svg = prerender.render_svg(first_specs()[0])
    assert set(re.findall(r'font-family="([^"]*)"', svg)) == {prerender.FONT.replace('"', "&quot;")}


def test_our_font_has_every_character_of_the_charts_text():
    faces = [prerender.font_characters(path) for path in prerender.font_files()]
    for c in "≤≥–—£%·←→’“”×±°…":
        assert all(ord(c) in face for face in faces), c
    assert prerender.uncovered(json.dumps({"t": "Ж"}, ensure_ascii=False)) == {"Ж"}  # not in the italic faces
    texts = [p.read_text(encoding="utf-8") for root in (ROOT / "datapackages", FIXTURE / "datapackages")
             for p in sorted(root.glob("*/*.csv"))]  # every name, title, unit and period the charts can show
    texts += [json.dumps([charts_more.JUDGED, charts_more.UNJUDGED], ensure_ascii=False)]
    assert set().union(*map(prerender.uncovered, texts)) == set()


def renamed_font(data: bytes, family: str) -> bytes:
    """A copy of a TrueType font whose name table calls it `family` (Regular), its tables laid out again."""
    tables = {}
    for i in range(struct.unpack_from(">H", data, 4)[0]):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = data[offset:offset + length]
    names = [(1, family), (2, "Regular"), (4, family), (6, family.replace(" ", "") + "-Regular")]
    records, strings = b"", b""
    for name_id, text in names:  # Windows, Unicode BMP, US English
        raw = text.encode("utf-16-be")
        records += struct.pack(">6H", 3, 1, 0x409, name_id, len(raw), len(strings))
        strings += raw
    tables[b"name"] = struct.pack(">3H", 0, len(names), 6 + len(records)) + records + strings
    out = struct.pack(">IH", struct.unpack_from(">I", data)[0], len(tables)) + data[6:12]
    offset, body = 12 + 16 * len(tables), b""
    for tag in sorted(tables):
        padded = tables[tag] + b"\0" * (-len(tables[tag]) % 4)
        checksum = sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF
        out += struct.pack(">4sIII", tag, checksum, offset + len(body), len(tables[tag]))
        body += padded
    return out + body


RENDER_TWICE = """
import hashlib, json, sys
import vl_convert
from icsite.charts import images as prerender

specs, extra = json.loads(sys.argv[1]), sys.argv[2:]
FORMER = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"  # the charts' font list before ours

def draw(spec):
    svg, png = prerender.render_both(spec)
    old = vl_convert.svg_to_png(vl_convert.vegalite_to_svg(dict(json.loads(spec), config={"font": FORMER})))
    return [hashlib.sha256(b).hexdigest() for b in (svg, png, bytes(old))]

before = [draw(spec) for spec in specs]
for folder in extra:
    vl_convert.register_font_directory(folder)
print(json.dumps({"before": before, "after": [draw(spec) for spec in specs]}))
"""


def test_static_images_are_unchanged_by_other_fonts_on_the_system(tmp_path):
    """In a fresh process: draw a chart, register fonts called Arial, Segoe UI, system-ui... (and the system's own
    again), draw it again: the same SVG and PNG bytes. Drawn in the former font list, the chart does change."""
    black = (prerender.font_files()[0].parent / "SourceSansPro-Black.ttf").read_bytes()  # wide, heavy letters
    for family in ("Arial", "Helvetica", "Liberation Sans", "Segoe UI", "system-ui", "Roboto", "DejaVu Sans",
                   "Source Sans Pro"):  # a machine may have Adobe's own Source Sans Pro: ours is renamed
        (tmp_path / f"{family.replace(' ', '')}.ttf").write_bytes(renamed_font(black, family))
    extra = [str(tmp_path)] + [d for d in ("/usr/share/fonts",) if Path(d).is_dir()]
    specs = first_specs() + other_specs()[:1]  # ranked, funnel, spine: bold, italic and clipped marks
    run = subprocess.run([sys.executable, "-c", RENDER_TWICE, json.dumps(specs), *extra], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    drawn = json.loads(run.stdout.strip().splitlines()[-1])
    assert [d[:2] for d in drawn["after"]] == [d[:2] for d in drawn["before"]]  # ours: SVG and PNG unchanged
    assert all(a[2] != b[2] for a, b in zip(drawn["after"], drawn["before"]))  # the former list took the new Arial


DRAW_DATES = """
import hashlib, json, sys
from icsite.charts import images as prerender
print(hashlib.sha256(prerender.render_svg(sys.argv[1]).encode()).hexdigest())
"""


def test_static_images_are_the_same_in_every_time_zone():
    """Vega places dates on a time axis in the process's local time: drawn on a machine set to New York, Sydney or
    UTC, a chart with a time axis is the same SVG (each process that renders runs in UTC)."""
    spec = json.dumps({"data": {"values": [{"d": "2024-03-31", "v": 1}, {"d": "2025-03-31", "v": 2},
                                           {"d": "2025-12-31", "v": 3}]},
                       "mark": {"type": "line", "point": True},
                       "encoding": {"x": {"field": "d", "type": "temporal", "axis": {"format": "%d %b %Y"}},
                                    "y": {"field": "v", "type": "quantitative"}}})
    drawn = set()
    for zone in ("America/New_York", "Australia/Sydney", "UTC"):
        run = subprocess.run([sys.executable, "-c", DRAW_DATES, spec], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, env={**os.environ, "TZ": zone})
        assert run.returncode == 0, run.stderr
        drawn.add(run.stdout.strip())
    assert len(drawn) == 1


def family_names(face: bytes) -> set[str]:
    """The family names (name id 1) of a TrueType face, on every platform."""
    count = struct.unpack_from(">H", face, 4)[0]
    tables = {face[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", face, 20 + 16 * i)[0] for i in range(count)}
    start = tables[b"name"]
    records, strings = struct.unpack_from(">HH", face, start + 2)
    names = set()
    for i in range(records):
        platform, _, _, name_id, length, offset = struct.unpack_from(">6H", face, start + 6 + 12 * i)
        raw = face[start + strings + offset:start + strings + offset + length]
        if name_id == 1:
            names.add(raw.decode("utf-16-be" if platform in (0, 3) else "latin-1"))
    return names


def test_our_faces_are_renamed_so_no_installed_font_can_stand_in():
    for name, face in prerender.font_faces().items():
        original = (prerender.font_files()[0].parent / name).read_bytes()
        assert family_names(original) == {"Source Sans Pro"}
        assert family_names(face) == {prerender.FONT_FAMILY} and len(face) == len(original), name


def test_an_svg_does_not_depend_on_the_charts_drawn_before_it_in_the_process():
    """Vega numbers clip paths (and gradients) from counters that run on: the ids are numbered afresh."""
    ranked_spec, funnel_spec = first_specs()
    first = prerender.render_svg(funnel_spec)
    prerender.render_svg(ranked_spec)
    assert prerender.render_svg(funnel_spec) == first
    assert 'id="clip1"' in first and "url(#clip1)" in first
    assert prerender.stable_ids('<a id="clip7"/><b clip-path="url(#clip7)"/><c id="gradient_4"/><d id="clip9"/>'
                                ' clip7 ') == ('<a id="clip1"/><b clip-path="url(#clip1)"/><c id="gradient_0"/>'
                                               '<d id="clip2"/> clip7 ')


# -- whole builds --------------------------------------------------------------------------------------------------

def test_builds_from_a_filled_cache_and_an_empty_one_are_byte_identical(tmp_path):
    filled, empty = tmp_path / "filled-cache", tmp_path / "empty-cache"
    assert build_fixture(tmp_path / "first", cache_dir=filled) == 0  # fills the cache
    images = {p.name: p.stat().st_mtime_ns for p in (filled / "images").iterdir()}
    assert build_fixture(tmp_path / "warm", cache_dir=filled) == 0
    assert {p.name: p.stat().st_mtime_ns for p in (filled / "images").iterdir()} == images  # nothing drawn again
    empty.mkdir()
    assert build_fixture(tmp_path / "cold", cache_dir=empty) == 0
    warm, cold = tree(tmp_path / "warm"), tree(tmp_path / "cold")
    assert sorted(warm) == sorted(cold)
    assert [rel for rel in warm if warm[rel].read_bytes() != cold[rel].read_bytes()] == []
    assert sum(rel.endswith(".svg") for rel in warm) >= 10  # every chart's image
    assert sum(rel.endswith(".png") for rel in warm) >= 5  # each page's link preview
    specs = [p.read_text(encoding="utf-8") for rel, p in warm.items() if rel.endswith(".vl.json")]
    assert set().union(*map(prerender.uncovered, specs)) == set()  # no glyph from a system font
    assert all(math.isfinite(x) for s in specs for x in floats(json.loads(s)))
