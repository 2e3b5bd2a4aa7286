"""Static SVG and PNG images of every chart, so each chart is visible and reusable without JavaScript.

The images are the same on every machine. Their text is drawn in our own font (Source Sans Pro, from the pinned
font-source-sans-pro package), registered with vl-convert in every process that renders: the charts name it first
in their font list, and vl-convert takes the first family of the list that it has, so the system's fonts (Arial,
Liberation, DejaVu, whatever a browser install brought) are never used, as long as every character of the text is
in our font (`uncovered`). Only the four faces the charts draw with are registered, copied into a folder of the
cache: the package's other weights and its OTF copies of the same faces are left out. Nor does an image depend on
what its process drew before: the ids Vega numbers from process-wide counters are numbered afresh (`stable_ids`),
or on the machine's time zone: Vega places dates on a time axis in the process's local time, so every process that
renders runs in UTC (`use_fonts`), as the dates of our data are meant.

Every chart gets an SVG (unless the `images` setting says otherwise: `charts.drawing`); only a page's first chart
gets a PNG, the picture of its link preview. Both are made smaller without changing a pixel (`compact`).
Rendering (vl-convert) costs a tenth of a second or more per chart, so images are cached in `.cache/images/`
by a hash of everything that makes them (`image_key`): the renderer's version, our drawing rules and settings, the
font files and the spec. An unchanged chart is never rendered twice, and a rebuild with nothing changed renders
nothing. The trend, ranked and spine charts, most of the images, are drawn by our own code (`own_svg`), fifty
times faster.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tempfile
import time
import warnings
from functools import cache
from pathlib import Path

from icsite.charts.compact import slim_svg, smaller_png

STATIC_WIDTH = 640  # charts that fill their container in the page are drawn this wide as images
RULES = "13"  # change when render_svg, `draw` or our own drawers change how they draw, so cached images are drawn again
# the reader's browser draws the image's text in its own fonts, which may be wider than those measured here:
# leave room so that long axis labels are not cut off at the left edge
PADDING = {"left": 48, "right": 12, "top": 6, "bottom": 6}
PNG_SCALE = 1  # the PNG is drawn from the SVG at its own size

#: the family our copies of Source Sans Pro are renamed to (`renamed_face`): a name no system has, so that no font
#: installed on a machine (Adobe's own Source Sans Pro, say, of another version) can stand in for ours. The names
#: have the same lengths as the originals, and the new one leaves out "Source", which the font's licence (SIL OFL)
#: reserves for unmodified copies.
FONT_FAMILY = "ICS Charts Text"
RENAMED = {"Source Sans Pro": FONT_FAMILY, "SourceSansPro": "ICSChartsText"}
#: the faces the charts draw with: text, bold titles and labels, italic axis labels (and bold italic, to be safe)
FONT_FACES = ("SourceSansPro-Regular.ttf", "SourceSansPro-Bold.ttf", "SourceSansPro-It.ttf",
              "SourceSansPro-BoldIt.ttf")
#: the charts' font list: ours first (vl-convert stops there); a browser, which does not have it, takes the next
FONT = f'"{FONT_FAMILY}", "Source Sans Pro", system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
_registered: list[Path] = []  # the font folder registered with vl-convert in this process, once
#: the ids Vega gives clip paths and gradients in an SVG, from counters that run on through the renderer's process
_DEF_ID = re.compile(r'(?<=id=")(clip|gradient_)(\d+)(?=")|(?<=url\(#)(clip|gradient_)(\d+)(?=\))')


def draw(job: tuple[str, str | None, bool], fonts: str | None = None) -> tuple[bytes | None, bytes | None]:
    """One chart's (SVG, PNG) from (spec, its cached SVG or None, PNG wanted): the SVG slimmed (None if it was
    cached), the PNG drawn from that SVG at its own size (its text as outlines, if we drew it) and compressed again
    (None if not wanted). A trend, ranked or spine chart's SVG is drawn by us (`own_svg`: the same layout, 50 times
    faster); every other's by vl-convert."""
    import vl_convert

    from icsite.charts.glyphs import outlined  # it imports this module (by font_metrics)

    spec_json, cached, want_png = job
    use_fonts(Path(fonts) if fonts else None)  # the PNG's text is drawn in our font too
    svg = cached if cached is not None else own_svg(spec_json) or slim_svg(render_svg(spec_json))
    if want_png:  # our own drawers' text goes to the PNG as outlines: resvg lays text out slowly (see glyphs.py)
        png = smaller_png(bytes(vl_convert.svg_to_png(outlined(svg) or svg, scale=PNG_SCALE)))
    else:
        png = None
    return (svg.encode("utf-8") if cached is None else None), png


def own_svg(spec_json: str) -> str | None:
    """A chart's SVG drawn by our own code, by the first drawer that recognises it; None if vl-convert must draw it."""
    from icsite.charts import ranked_image, spine_image, trend_image  # they import this module

    spec = json.loads(spec_json)
    for recognises, drawer in ((trend_image.is_trend, trend_image.trend_svg),
                               (ranked_image.is_ranked, ranked_image.ranked_svg),
                               (spine_image.is_spine, spine_image.spine_svg)):
        if recognises(spec):
            return drawer(spec)
    return None


def render_both(spec_json: str, fonts: str | None = None) -> tuple[bytes, bytes]:
    """The chart as SVG, and as a PNG drawn from that SVG at its own size (in our font from the folder `fonts`)."""
    svg, png = draw((spec_json, None, True), fonts)
    return svg, png


def image_key(version: str, spec_json: str, fonts: str | None = None, rules: str = RULES) -> str:
    """The cache key of a chart image: everything that makes it.

    That is the renderer's version, our drawing rules (`rules`) and settings, the digest of the font files
    registered (`fonts`, default: ours) and the spec.
    """
    settings = json.dumps({"width": STATIC_WIDTH, "padding": PADDING, "png_scale": PNG_SCALE, "font": FONT},
                          sort_keys=True)
    text = "\n".join([version, rules, fonts or font_digest(), settings, spec_json])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_svg(spec_json: str, fonts: Path | None = None) -> str:
    """One chart as SVG, in our font; a chart that fills its container is given a fixed width; no data from the
    network. `fonts` is the folder of our font faces (default: one in the system's temporary folder)."""
    import vl_convert

    use_fonts(fonts)
    from icsite.charts.variants import PHONE_WIDTH, is_phone

    spec = json.loads(spec_json)
    width = PHONE_WIDTH if is_phone(spec) else STATIC_WIDTH  # a phone's layout is drawn for a phone's width
    if spec.get("width") == "container":
        spec["width"] = width
    for layer in spec.get("layer", []):
        if layer.get("width") == "container":
            layer["width"] = width
    spec["padding"] = dict(PADDING)
    pin_fonts(spec)
    spec["config"]["aria"] = False  # no ARIA labels to make: an image's are never exposed (and slim_svg drops them)
    return stable_ids(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]))


def stable_ids(svg: str) -> str:
    """The SVG with its clip path and gradient ids numbered afresh, as a new renderer process numbers them.

    Vega numbers them from counters that every chart drawn in the process advances, so without this an SVG would
    depend on which charts its worker process happened to draw before it.
    """
    renamed: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        kind = match[1] or match[3]
        if match[0] not in renamed:
            first = 1 if kind == "clip" else 0  # where Vega's counters start
            renamed[match[0]] = f"{kind}{first + sum(name.startswith(kind) for name in renamed.values())}"
        return renamed[match[0]]

    return _DEF_ID.sub(rename, svg)


def pin_fonts(spec: dict) -> None:
    """Every text of the chart in FONT: the default of all text (config.font) and any font the spec names."""
    spec.setdefault("config", {})["font"] = FONT

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("data", "datasets", "values"):  # data, not drawing: a field may be called "font"
                    continue
                if isinstance(value, str) and (key == "font" or key.endswith("Font")):
                    node[key] = FONT
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)


def font_files() -> list[Path]:
    """Our font faces, as installed by the font-source-sans-pro package."""
    import font_source_sans_pro

    folder = Path(font_source_sans_pro.__file__).resolve().parent / "files"
    return [folder / name for name in FONT_FACES]


@cache
def font_faces() -> dict[str, bytes]:
    """Our font faces as registered: file name -> the face renamed to FONT_FAMILY."""
    return {path.name: renamed_face(path.read_bytes()) for path in font_files()}


def renamed_face(data: bytes) -> bytes:
    """A TrueType face with its family names (in its `name` table only) changed as RENAMED says."""
    tables = {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">II", data, 16 + 16 * i + 4)
              for i in range(struct.unpack_from(">H", data, 4)[0])}
    start, length = tables[b"name"]
    names = data[start:start + length]
    for old, new in RENAMED.items():
        assert len(old) == len(new)  # the same length: no offset in the table moves
        for encoding in ("latin-1", "utf-16-be"):  # Macintosh and Windows names
            names = names.replace(old.encode(encoding), new.encode(encoding))
    return data[:start] + names + data[start + length:]


@cache
def font_digest() -> str:
    """A hash of our font faces' names and bytes, as registered: a different font makes different images."""
    digest = hashlib.sha256()
    for name, face in sorted(font_faces().items()):
        digest.update(f"{name}\n{len(face)}\n".encode("utf-8"))
        digest.update(face)
    return digest.hexdigest()


def font_folder(root: Path | None = None) -> Path:
    """A folder holding exactly our font faces (under `root`/fonts/, default the system's temporary folder),
    filled now if it is not yet; named by their digest, so builds that share a cache never mix two fonts."""
    base = (root if root is not None else Path(tempfile.gettempdir()) / "icsite") / "fonts"
    folder = base / font_digest()[:16]
    for name, face in font_faces().items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != face:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.tmp{os.getpid()}"  # hidden: fontdb loads only font files it can parse
            tmp.write_bytes(face)
            tmp.replace(target)
    return folder


def use_fonts(folder: Path | None = None) -> Path:
    """Make this process draw as every other does: our font faces registered with vl-convert, and the time zone UTC
    (once: later calls return the first folder)."""
    import vl_convert

    if not _registered:
        if os.environ.get("TZ") != "UTC":  # before vl-convert draws its first date
            os.environ["TZ"] = "UTC"
            time.tzset()
        folder = font_folder() if folder is None else folder
        vl_convert.register_font_directory(str(folder.resolve()))
        _registered.append(folder)
    return _registered[0]


@cache
def covered() -> frozenset[int]:
    """The characters every one of our faces has a glyph for."""
    faces = [font_characters(path) for path in font_files()]
    return frozenset.intersection(*faces)


def uncovered(spec_json: str) -> set[str]:
    """Characters of a spec that our font lacks: their glyphs would come from whatever font the system has."""
    have = covered()
    return {c for c in set(spec_json) if ord(c) >= 0x20 and ord(c) not in have}


def warn_uncovered(specs) -> None:
    """Warn, once, of characters in the charts' text that our font lacks (their images then depend on the system)."""
    missing = set().union(*(uncovered(spec) for spec in specs))
    if missing:
        listed = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(missing))
        warnings.warn(f"chart text has characters that {FONT_FAMILY} lacks: {listed}; their glyphs come from the "
                      "system's fonts, so those images may differ between machines", stacklevel=2)


def font_characters(path: Path) -> frozenset[int]:
    """The characters a TrueType/OpenType font maps to a glyph (its Unicode cmap subtables of format 4 and 12)."""
    from icsite.charts.font_metrics import character_glyphs, table_offsets  # it imports this module

    data = path.read_bytes()
    return frozenset(character_glyphs(data, table_offsets(data)[b"cmap"]))
