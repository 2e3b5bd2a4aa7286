"""The parts shared by the charts we draw ourselves (`trend_image`, `ranked_image`, `spine_image`), laid out by
Vega's own rules: data read as Vega reads it, text bounds, scales, a bottom axis, a left axis of categories, a legend
of symbols in a row, the title and subtitle, and the page around them with `images.PADDING`.

Coordinates are those of the plot (its top left at 0, 0); each part returns its SVG and its bounds, as Vega bounds
it (a stroke widens a mark's bounds by its width on every side), which decide where the legend, the title and the
page's edges go.
"""

from __future__ import annotations

import csv
import io
import math
from html import escape

from icsite.charts.font_metrics import limited_width, text_width, truncate
from icsite.charts.images import FONT, PADDING, STATIC_WIDTH
from icsite.charts.ticks import vega_round

# Vega's defaults for what the spec leaves to it
AXIS_FONT, TICK, LABEL_PAD, GRID, AXIS_COLOUR, AXIS_TITLE_PAD = 10, 5, 2, "#ddd", "#888", 4
TITLE_FONT, SUBTITLE_FONT, SUBTITLE_PAD, TITLE_OFFSET = 13, 12, 3, 4
LEGEND_FONT, LEGEND_LIMIT, LEGEND_OFFSET, LEGEND_GAP = 10, 160, 18, 10
LEGEND_TITLE_FONT, LEGEND_TITLE_LIMIT, LEGEND_TITLE_PAD = 11, 180, 5
#: a legend entry: its symbol (size 100, stroke 1.5) centred at (6, 6), its label at x 16
SYMBOL_R, SYMBOL_STROKE, SYMBOL_CENTRE, LABEL_X = 5, 1.5, 6, 16
BASELINES = {"top": 0.79, "middle": 0.3, "bottom": -0.21, "alphabetic": 0}
ANCHORS = {"left": "start", "center": "middle", "right": "end"}


# -- data ----------------------------------------------------------------------------------------------------------

def read_table(data, parse: dict) -> list[dict]:
    """A data set's records: CSV text read as Vega reads it (`parse` numbers; an empty cell is null), or records."""
    if isinstance(data, list):
        return [dict(row) for row in data]
    records = csv.reader(io.StringIO(data))
    header = next(records, [])
    numbers = [name for name in header if parse.get(name) == "number"]
    rows = [{k: v or None for k, v in zip(header, record)} for record in records]
    for row in rows:
        for name in numbers:
            if row[name] is not None:
                row[name] = float(row[name])
    return rows


def mark_of(layer: dict) -> dict:
    """A layer's mark as a dict with its type."""
    return layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}


def plot_width(spec: dict) -> float:
    """The plot's width: a chart that fills its container is drawn `images.STATIC_WIDTH` wide (`render_svg`)."""
    width = spec.get("width", 300)
    return STATIC_WIDTH if width == "container" else width


def plot_and_rows(spec: dict, name: str) -> tuple[float, float, list[dict]]:
    """The plot's width and height and the rows of its data set `name`, of a chart with a height in pixels."""
    w, h = plot_width(spec), spec.get("height")
    if not isinstance(h, (int, float)):
        raise ValueError(f"a {name} chart needs its height in pixels")
    return w, h, read_table(spec["datasets"][name], spec["data"].get("format", {}).get("parse", {}))


# -- text and scales -----------------------------------------------------------------------------------------------

def shift(size: float, baseline: str) -> int:
    """How far below its y Vega draws a text's alphabetic baseline, for its baseline setting."""
    return vega_round(BASELINES[baseline] * size)


def text_box(x: float, y: float, width: float, size: float, align: str = "left", baseline: str = "alphabetic",
             lines: int = 1) -> list[float]:
    """A text's bounds as Vega computes them: `size` high (and a line of size + 2 more for each further line)."""
    left = x - (width if align == "right" else width / 2 if align == "center" else 0)
    top = y + shift(size, baseline) - vega_round(0.8 * size)
    return [left, top, left + width, top + size + (size + 2) * (lines - 1)]


def linear(lo: float, hi: float, extent: float):
    """A linear scale from the domain [lo, hi] to [0, extent] (a single value: the middle), as a function."""
    def scale(value: float) -> float:
        return extent * 0.5 if hi == lo else extent * ((value - lo) / (hi - lo))

    return scale


def band(count: int, start: float, stop: float, inner: float, outer: float) -> tuple[list[float], float]:
    """d3's band scale (centred), or point scale (inner 1): where each of `count` bands starts, and their width."""
    low, high = min(start, stop), max(start, stop)
    step = (high - low) / max(1, count - inner + 2 * outer)
    first = low + (high - low - step * (count - inner)) * 0.5
    places = [first + step * i for i in range(count)]
    return (places[::-1] if stop < start else places), step * (1 - inner)


def symbol(shape: str, size: float) -> tuple[str, float]:
    """Vega's path of a symbol of this shape and area, centred on (0, 0), and its half height."""
    r = math.sqrt(size) / 2
    h = math.sqrt(3) * r / 2
    s = r / 2.5
    paths = {
        "circle": (f"M{num(r)},0A{num(r)},{num(r)},0,1,1,{num(-r)},0A{num(r)},{num(r)},0,1,1,{num(r)},0", r),
        "square": (f"M{num(-r)},{num(-r)}h{num(2 * r)}v{num(2 * r)}h{num(-2 * r)}Z", r),
        "diamond": (f"M{num(-r)},0L0,{num(-r)}L{num(r)},0L0,{num(r)}Z", r),
        "triangle-up": (f"M0,{num(-h)}L{num(-r)},{num(h)}L{num(r)},{num(h)}Z", h),
        "triangle-down": (f"M0,{num(h)}L{num(-r)},{num(-h)}L{num(r)},{num(-h)}Z", h),
        "cross": ("M" + "L".join(f"{num(a)},{num(b)}" for a, b in (
            (-r, -s), (-r, s), (-s, s), (-s, r), (s, r), (s, s), (r, s), (r, -s), (s, -s), (s, -r), (-s, -r),
            (-s, -s))) + "Z", r),
    }
    if shape not in paths:
        raise ValueError(f"we cannot draw a point of shape {shape!r}")
    return paths[shape]


def scale_map(encoding: dict) -> dict:
    """An ordinal scale of a channel's encoding, as a dict: domain value -> range value."""
    scale = encoding.get("scale", {})
    return dict(zip(scale.get("domain", []), scale.get("range", [])))


def setting(spec: dict, part: str, name: str, default):
    """A setting of the chart's `config` (e.g. "axis", "labelFontSize"), or Vega's default."""
    return spec.get("config", {}).get(part, {}).get(name, default)


# -- marks ---------------------------------------------------------------------------------------------------------

def point_marks(layer: dict, rows: list[dict], sx, place) -> tuple[str, list[float]]:
    """A point layer's filled symbols, coloured and shaped by its scales, at (sx(x), place(row)): their SVG (each
    its own element, for its opacity) and their bounds. Rows without an x or a place are left out."""
    mark, enc = mark_of(layer), layer["encoding"]
    if not mark.get("filled") or "stroke" not in mark or enc["shape"].get("field") != enc["color"].get("field"):
        raise ValueError("we draw filled, outlined points, coloured and shaped by one field, only")
    colours, shapes, field, key = scale_map(enc["color"]), scale_map(enc["shape"]), enc["x"]["field"], \
        enc["color"]["field"]
    size, width, opacity = mark.get("size", 30), mark.get("strokeWidth", 1), mark.get("opacity", 0.7)
    paths = {shape: symbol(shape, size) for shape in set(shapes.values())}
    r = math.sqrt(size) / 2
    out, box = [], None
    for row in rows:
        y = place(row)
        if row.get(field) is None or y is None:
            continue
        if row.get(key) not in colours or row.get(key) not in shapes:
            raise ValueError(f"{row.get(key)!r} is not in the point layer's colour and shape scales")
        (path, half), x = paths[shapes[row[key]]], sx(row[field])
        out.append(f'<path transform="translate({fine(x)},{fine(y)})" d="{path}" fill="{colours[row[key]]}" '
                   f'stroke="{mark["stroke"]}" stroke-width="{num(width)}" opacity="{num(opacity)}"/>')
        edge = [x - r - width, y - half - width, x + r + width, y + half + width]
        box = edge if box is None else union(box, edge)
    return "".join(out), box or [0.0, 0.0, 0.0, 0.0]


def symbol_legend(spec: dict, layer: dict, bottom: float) -> tuple[str, list[float]]:
    """The legend of a point layer's colour and shape (one legend: they share a field), above the plot."""
    mark, enc = mark_of(layer), layer["encoding"]
    settings = enc["color"].get("legend") or {}
    if settings.get("orient", setting(spec, "legend", "orient", "right")) != "top":
        raise ValueError("we draw a legend above the plot (orient 'top') only")
    shapes = scale_map(enc["shape"])
    entries = []
    for name, colour in scale_map(enc["color"]).items():
        path, half = symbol(shapes.get(name, "circle"), 100)  # Vega's legend symbols: size 100, stroke 1.5

        def draw(cx: float, cy: float, path=path, colour=colour) -> str:
            return (f'<path transform="translate({num(cx)},{num(cy)})" d="{path}" fill="{colour}" '
                    f'stroke="{mark["stroke"]}" stroke-width="{SYMBOL_STROKE}" '
                    f'opacity="{num(mark.get("opacity", 0.7))}"/>')
        entries.append((draw, half + SYMBOL_STROKE, name))
    return legend(entries, bottom, setting(spec, "legend", "labelFontSize", LEGEND_FONT),
                  str(enc["color"].get("title", enc["color"]["field"])),
                  setting(spec, "legend", "titleFontSize", LEGEND_TITLE_FONT),
                  settings.get("titleLimit", setting(spec, "legend", "titleLimit", LEGEND_TITLE_LIMIT)), True)


# -- axes ----------------------------------------------------------------------------------------------------------

def bottom_axis(marks: list[tuple[float, str]], w: float, h: float, size: float, moved: bool = False
                ) -> tuple[tuple[str, str, str], list[float]]:
    """An x axis along the plot's foot with a tick, a grid line and a label at each (x, text) of `marks`: (grid
    path, tick and domain path, labels) and its bounds. Labels at the ends are flush with them; overlapping ones are
    thinned as Vega thins them (`shown`). `moved`: text placed as Vega places it (`placed`)."""
    grid = tick_path = labels = ""
    texts = []
    box = [0.0, h, float(w), h]
    for x, text in marks:
        at = vega_round(x)
        grid += f"M{num(at + 0.5)},0.5v{num(h)}"
        tick_path += f"M{num(at + 0.5)},{num(h + 0.5)}v{TICK}"
        box = union(box, [at - 1, h - 1, at + 1, h + TICK + 1])
        width = text_width(text, size)
        align = flush(x, w)
        left = x - (0 if align == "start" else width if align == "end" else width / 2)
        texts.append((x, align, text, [left, h + TICK + LABEL_PAD, left + width, h + TICK + LABEL_PAD + size]))
    for x, align, text, label_box in shown(texts):
        box = union(box, label_box)
        labels += (f'<text {placed(x + 0.5, h + 0.5 + TICK + LABEL_PAD + vega_round(0.79 * size), moved)} '
                   f'text-anchor="{align}" font-size="{num(size)}px">{escape(text)}</text>')
    tick_path += f"M0.5,{num(h + 0.5)}h{num(w)}"
    return (grid, tick_path, labels), box


def axis_title(text: str, w: float, h: float, extent: float, size: float) -> tuple[str, list[float]]:
    """An x axis's title, in bold, centred under the axis whose ticks and labels reach `extent` below the plot."""
    y = h + min(max(extent, 0), 200) + AXIS_TITLE_PAD  # Vega's axis extent: from minExtent 0 to maxExtent 200
    width = text_width(text, size, bold=True)
    svg = (f'<text {placed(w / 2 + 0.5, y + 0.5 + shift(size, "top"), True)} text-anchor="middle" '
           f'font-size="{num(size)}px" font-weight="bold">{escape(text)}</text>')
    return svg, text_box(w / 2, y, width, size, "center", "top")


def left_axis(labels: list[tuple[float, str, bool]], h: float, size: float, limit: float, ticks: bool,
              domain: bool) -> tuple[str, str, list[float]]:
    """A y axis of categories: (tick and domain path, labels) and its bounds; a label (y, text, italic) is cut to
    `limit` pixels, right-aligned against the ticks (if drawn), middle at y."""
    path, texts = "", []
    right = -(TICK if ticks else 0) - LABEL_PAD
    box = [0.0, 0.0, 0.0, float(h)]
    for y, text, italic in labels:
        if ticks:
            at = vega_round(y)
            path += f"M0.5,{num(at + 0.5)}h-{TICK}"
            box = union(box, [-TICK - 1, at - 1, 1, at + 1])
        width = limited_width(text, size, limit, italic=italic)
        box = union(box, text_box(right, y, width, size, "right", "middle"))
        style = ' font-style="italic"' if italic else ""
        texts.append(f'<text {placed(right + 0.5, y + 0.5 + shift(size, "middle"), True)} text-anchor="end" '
                     f'font-size="{num(size)}px"{style}>{escape(truncate(text, size, limit, italic=italic))}</text>')
    if domain:
        path += f"M0.5,0.5v{num(h)}"
    return path, "".join(texts), box


def shown(labels: list[tuple]) -> list[tuple]:
    """The axis labels Vega keeps: while neighbours overlap, every other one is hidden (the last one kept)."""
    items = [item for item in labels if item[3][2] - item[3][0] > 1]
    if len(items) < 3 or not overlapping(items):
        return items
    kept = items
    while len(kept) >= 3 and overlapping(kept):
        kept = kept[::2]
    if len(kept) < 3 and kept[-1] is not items[-1]:
        kept = kept[:-1] + [items[-1]] if len(kept) > 1 else kept + [items[-1]]
    return kept


def overlapping(items: list[tuple]) -> bool:
    """Whether any label's box overlaps the next one's."""
    return any(0 > max(b[3][0] - a[3][2], a[3][0] - b[3][2], b[3][1] - a[3][3], a[3][1] - b[3][3])
               for a, b in zip(items, items[1:]))


def flush(x: float, w: float) -> str:
    """An x label's anchor: flush with the axis's end if within a pixel of it (Vega's labelFlush), else centred."""
    near, far = abs(x), abs(w - x)
    return "start" if near < far and near <= 1 else "end" if far <= 1 else "middle"


# -- legend, title and page ----------------------------------------------------------------------------------------

def legend(entries: list[tuple], bottom: float, size: float = LEGEND_FONT, title: str = "",
           title_size: float = LEGEND_TITLE_FONT, title_limit: float = LEGEND_TITLE_LIMIT, moved: bool = False
           ) -> tuple[str, list[float]]:
    """A legend above the plot, ending `bottom` pixels from its top: its title over a row of entries (draw, half
    height, label), where draw(cx, cy) is an entry's symbol centred there and its half height includes its stroke.
    Entries are laid out as Vega's grid layout places them, each centred in the row by its bounds (if not alone)."""
    label_top = text_box(0, SYMBOL_CENTRE, 0, size, baseline="middle")
    lows = [min(SYMBOL_CENTRE + half, label_top[3]) for _, half, _ in entries]
    highs = [max(SYMBOL_CENTRE + half, label_top[3]) for _, half, _ in entries]
    extent = math.ceil(max(highs, default=0))
    top_of_row = math.ceil(title_size) + LEGEND_TITLE_PAD if title else 0
    out, x, right, low = [], 0.0, float(limited_width(title, title_size, title_limit, bold=True)), 0.0
    if title:
        low = text_box(0, 0, 0, title_size, baseline="top")[3]
        out.append(f'<text {placed(0, shift(title_size, "top"), moved)} font-size="{num(title_size)}px" '
                   f'font-weight="bold">{escape(truncate(title, title_size, title_limit, bold=True))}</text>')
    for n, ((draw, _, label), high) in enumerate(zip(entries, highs)):
        if n:
            x += LEGEND_GAP + math.ceil(SYMBOL_R + SYMBOL_STROKE - SYMBOL_CENTRE)
        centre = SYMBOL_CENTRE + top_of_row + (max(0.0, (extent - high) / 2) if len(entries) > 1 else 0)
        out.append(draw(x + SYMBOL_CENTRE, centre) +
                   f'<text {placed(x + LABEL_X, centre + shift(size, "middle"), moved)} '
                   f'font-size="{num(size)}px">{escape(truncate(str(label), size, LEGEND_LIMIT))}</text>')
        low = max(low, centre - SYMBOL_CENTRE + high)
        edge = x + LABEL_X + limited_width(str(label), size, LEGEND_LIMIT)
        right = max(right, edge)
        x += math.ceil(edge - x)
    height = math.ceil(low)
    top = bottom - height
    return f'<g transform="translate(0,{num(top)})">{"".join(out)}</g>', [0.0, top, float(math.ceil(right)), bottom]


def title_block(title, view: list[float], moved: bool = False) -> tuple[str, list[float]]:
    """The chart's title (bold) and subtitle (one line or a list of them) above everything else, at the left of the
    bounds `view` (Vega's anchor "start"); and the bounds with it."""
    title = title if isinstance(title, dict) else {"text": title or ""}
    if title.get("anchor", "start") != "start":
        raise ValueError("we draw a chart title anchored at its start only")
    text = str(title.get("text", "")).strip()
    subtitle = title.get("subtitle") or []
    lines = [str(line) for line in ([subtitle] if isinstance(subtitle, str) else subtitle)]
    box = [0.0, 0.0, text_width(text, TITLE_FONT, bold=True), float(TITLE_FONT)]
    below = TITLE_FONT + SUBTITLE_PAD
    if lines:
        width = max(text_width(line, SUBTITLE_FONT) for line in lines)
        box = union(box, text_box(0, below, width, SUBTITLE_FONT, baseline="top", lines=len(lines)))
    x, y = view[0], view[1] - (box[3] - box[1]) - TITLE_OFFSET
    svg = (f'<text {placed(x, y + shift(TITLE_FONT, "top"), moved)} font-size="{TITLE_FONT}px" '
           f'font-weight="bold">{escape(text)}</text>')
    if lines:
        svg += (f'<text {placed(x, y + below + shift(SUBTITLE_FONT, "top"), moved)} '
                f'font-size="{SUBTITLE_FONT}px">{escape(lines[0])}' +
                "".join(f'<tspan x="{0 if moved else num(x)}" dy="{SUBTITLE_FONT + 2}">{escape(line)}</tspan>'
                        for line in lines[1:]) + "</text>")
    return svg, union(view, [x, y + box[1], x + box[2], y + box[3]])


def page(view: list[float], parts: list[str]) -> str:
    """The whole SVG: the parts (drawn from the plot's top left), moved so that their bounds `view` fit, with
    Vega's padding (`images.PADDING`) around them, on white, in the charts' font."""
    left, top = max(0, math.ceil(-view[0])), max(0, math.ceil(-view[1]))
    width = left + max(0, math.ceil(view[2])) + PADDING["left"] + PADDING["right"]
    height = top + max(0, math.ceil(view[3])) + PADDING["top"] + PADDING["bottom"]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{escape(FONT)}"><rect width="{width}" height="{height}" '
            f'fill="white"/><g stroke-miterlimit="10" transform="translate({left + PADDING["left"]},'
            f'{top + PADDING["top"]})">' + "".join(parts) + "</g></svg>")


# -- SVG text ------------------------------------------------------------------------------------------------------

def union(a: list[float], b: list[float]) -> list[float]:
    """The bounds holding both."""
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def num(value: float) -> str:
    """A coordinate for the SVG: at most 3 decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def placed(x: float, y: float, moved: bool) -> str:
    """A text's position: by `transform`, as Vega places text (the renderer then places its glyphs as in Vega's
    drawing, to the pixel), or by its x and y (the trend charts' images, which match as they are)."""
    return f'transform="translate({fine(x)},{fine(y)})"' if moved else f'x="{num(x)}" y="{num(y)}"'


def fine(value: float) -> str:
    """A mark's position from a scale, to 6 decimals: as Vega writes it, near enough that no edge of the mark moves
    across one of the quarter-pixel steps at which the renderer samples its edges (3 decimals can)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def dash(pattern) -> str:
    """A stroke-dasharray attribute, or nothing for a solid line."""
    if not pattern or not any(pattern[1::2]):
        return ""
    return f' stroke-dasharray="{",".join(num(p) for p in pattern)}"'
