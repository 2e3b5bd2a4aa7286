"""Static SVG images of the profiles' trend charts (`specs.trend_chart`), drawn by us from their Vega-Lite spec.

vl-convert takes about a tenth of a second per chart, most of it measuring text. A trend chart is drawn here in a
few milliseconds with the same layout, following Vega's own rules for this one design: its grid, axis, legend and
title layout; d3's nice scales, ticks and number formats (`ticks`); label overlap removal and truncation. Text is
measured in our font as vl-convert measures it (`font_metrics`), so every panel, label and legend entry lands on
the same pixel as in vl-convert's drawing. Everything comes from the spec as `images.draw` receives it: its rows
are the CSV text of its `datasets` (`serialise.inline_csv`) joined to their lookup tables (`specs.keyed`); its
sizes, colours and dashes are the spec's (or Vega's defaults); its text is in the charts' font list (`images.FONT`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from html import escape

from icsite.charts.font_metrics import limited_width, text_width, truncate
from icsite.charts.svg_parts import (ANCHORS, AXIS_COLOUR, AXIS_FONT, GRID, LABEL_PAD, LEGEND_OFFSET, SYMBOL_R,
                                     SYMBOL_STROKE, TICK, bottom_axis, dash, legend, linear, mark_of, num, page,
                                     read_table, shown, text_box, title_block, union)
from icsite.charts.variants import PERIOD_LABELS
from icsite.charts.ticks import exponent, nice, number_format, tick_step, ticks, time_format, time_ticks, vega_round

HEADER_OFFSET, SPACING = 10, 20  # Vega's defaults for what the spec leaves to it
POINT_R = math.sqrt(30) / 2  # a point mark's circle (size 30)
SIDE_TEST = re.compile(r"datum\.side === '(\w+)'")


def is_trend(spec: dict) -> bool:
    """Whether a spec is a trend chart (`specs.trend_chart`): small multiples of the data set named "trend"."""
    return (isinstance(spec.get("data"), dict) and spec["data"].get("name") == "trend" and "facet" in spec
            and isinstance(spec.get("spec"), dict) and "layer" in spec["spec"])


def trend_svg(spec: dict) -> str:
    """A trend chart's static image, as SVG."""
    if not is_trend(spec):
        raise ValueError("not a trend chart spec: expected small multiples (facet) of the data set named 'trend'")
    rows = spec_rows(spec)
    inner, layers = spec["spec"], spec["spec"]["layer"]
    header = spec["facet"].get("header", {})
    size = (inner.get("width", 150), inner.get("height", 90))
    series = next(layer["encoding"] for layer in layers if mark_of(layer)["type"] == "line")
    colours = dict(zip(series["color"]["scale"]["domain"], series["color"]["scale"]["range"]))
    dashes = dict(zip(series["strokeDash"]["scale"]["domain"], series["strokeDash"]["scale"]["range"]))
    panels: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("title") is not None:
            panels.setdefault(row["title"], []).append(row)
    cells = [panel(panels[t], t, layers, size, colours, dashes, header) for t in sorted(panels)]
    columns = spec.get("columns") or len(cells)
    places = grid_layout([box for _, box in cells], columns, SPACING)
    view = [0.0, 0.0, 0.0, 0.0]
    for (_, box), (x, y) in zip(cells, places):
        view = union(view, [box[0] + x, box[1] + y, box[2] + x, box[3] + y])
    entries = [(circle(colour, dashes.get(name)), SYMBOL_R + SYMBOL_STROKE, name) for name, colour in colours.items()]
    drawn_legend, legend_box = legend(entries, math.floor(view[1]) - LEGEND_OFFSET)
    title, view = title_block(spec.get("title", {}), union(view, legend_box))
    out = [f'<g transform="translate({num(x)},{num(y)})">{body}</g>' for (body, _), (x, y) in zip(cells, places)]
    return page(view, out + [drawn_legend, title])


def circle(colour: str, pattern) -> object:
    """A legend entry's symbol: a circle of the series' colour, its outline in the series' dashes."""
    return lambda cx, cy: (f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{SYMBOL_R}" fill="{colour}" stroke="{colour}" '
                           f'stroke-width="{SYMBOL_STROKE}"{dash(pattern)}/>')


# -- data ----------------------------------------------------------------------------------------------------------

def spec_rows(spec: dict) -> list[dict]:
    """The chart's rows (CSV text or records), each joined to the lookup tables its transforms name."""
    parse = spec["data"].get("format", {}).get("parse", {})
    rows = read_table(spec["datasets"]["trend"], parse)
    for step in spec.get("transform", []):
        if "lookup" not in step:
            raise ValueError(f"a trend chart's transform must be a lookup, not {sorted(step)}")
        source = step["from"]["data"]
        key, fields = step["from"]["key"], step["from"]["fields"]
        table = {row.get(key): {f: row.get(f) for f in fields}
                 for row in read_table(spec["datasets"][source["name"]], source.get("format", {}).get("parse", {}))}
        missing = dict.fromkeys(fields)
        for row in rows:
            row.update(table.get(row.get(step["lookup"]), missing))
    dates: dict = {}  # few distinct dates, on many rows
    for row in rows:
        end = row.get("period_end")
        row["t"] = dates[end] if end in dates else dates.setdefault(end, date_ms(end))
    return rows


def date_ms(value) -> float | None:
    """A date ("2024-03-31", read as UTC midnight, as JavaScript's Date reads it) as milliseconds since 1970."""
    if value is None:
        return None
    when = datetime.fromisoformat(str(value))
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp() * 1000


def layer_rows(layer: dict, rows: list[dict]) -> list[dict]:
    """The rows a layer draws: its filter (valid values; or breaks: rows with a label)."""
    test = " && ".join(step["filter"] for step in layer.get("transform", []) if "filter" in step)
    if test == "isValid(datum.label)":
        return [r for r in rows if r.get("label") is not None and r.get("t") is not None]
    if test not in ("isValid(datum.value)", ""):
        raise ValueError(f"a trend chart cannot draw a layer filtered by {test!r}")
    return [r for r in rows if r.get("value") is not None and r.get("t") is not None and r.get("series") is not None]


# -- one panel -----------------------------------------------------------------------------------------------------

def panel(rows: list[dict], title: str, layers: list[dict], size: tuple, colours: dict, dashes: dict,
          header: dict) -> tuple[str, list[float]]:
    """One panel's SVG (its own coordinates: the plot's top left at 0, 0) and its bounds, as Vega bounds it."""
    w, h = size
    drawn = [(layer, mark_of(layer), layer_rows(layer, rows)) for layer in layers]
    times = [r["t"] for _, _, picked in drawn for r in picked]
    values = [r["value"] for _, m, picked in drawn if m["type"] == "line" for r in picked]
    values += [r["headroom"] for _, m, picked in drawn if m["type"] == "point" for r in picked
               if r.get("headroom") is not None]
    t0, t1 = (min(times), max(times)) if times else (0.0, 0.0)
    y0, y1 = nice(min(values), max(values)) if values else (0.0, 0.0)

    sx = linear(t0, t1, w)

    def sy(v: float) -> float:
        return h * 0.5 if y1 == y0 else h * (1 - (v - y0) / (y1 - y0))

    box = [0.0, 0.0, float(w), float(h)]
    marks: list[str] = []
    for layer, mark, picked in drawn:
        kind = mark["type"]
        if kind == "line":
            stroke = mark.get("strokeWidth", 2)
            lines: dict[tuple, list[dict]] = {}
            for r in picked:
                lines.setdefault((r["series"], r.get("segment")), []).append(r)
                r["xy"] = (sx(r["t"]), sy(r["value"]))
                r["at"] = (num(r["xy"][0]), num(r["xy"][1]))
            for (name, _), line in lines.items():
                if name not in colours:
                    raise ValueError(f"series {name!r} is not in the trend chart's colour scale")
                line.sort(key=lambda r: r["t"])
                if len(line) > 1:
                    path = "L".join(",".join(r["at"]) for r in line)
                    marks.append(f'<path d="M{path}" fill="none" stroke="{colours[name]}" stroke-width="{num(stroke)}"'
                                 f'{dash(dashes.get(name))}/>')
            grow = POINT_R if mark.get("point") and stroke < POINT_R else stroke  # lines or their points
            xs, ys = [r["xy"][0] for r in picked], [r["xy"][1] for r in picked]
            if picked:
                box = union(box, [min(xs) - grow, min(ys) - grow, max(xs) + grow, max(ys) + grow])
            if mark.get("point"):
                marks += [f'<circle cx="{r["at"][0]}" cy="{r["at"][1]}" r="{num(POINT_R)}" '
                          f'fill="{colours[r["series"]]}"/>' for r in picked]
        elif kind == "rule":
            stroke = mark.get("strokeWidth", 1)
            for r in picked:
                x = sx(r["t"])
                box = union(box, [x - stroke, -stroke, x + stroke, h + stroke])
                marks.append(f'<path d="M{num(x)},0v{num(h)}" stroke="{mark.get("color", "#000")}" '
                             f'stroke-width="{num(stroke)}"{dash(mark.get("strokeDash"))}/>')
        elif kind == "point" and mark.get("opacity") == 0:  # unseen: it stretches the y scale to a label's headroom
            for r in picked:
                if r.get("headroom") is not None:
                    x, y = sx(r["t"]), sy(r["headroom"])
                    box = union(box, [x - POINT_R, y - POINT_R, x + POINT_R, y + POINT_R])
        elif kind == "text":
            side = SIDE_TEST.search(layer["encoding"]["text"]["condition"]["test"])[1]
            for r in picked:
                text, drawn_box = break_label(r, side, mark, sx(r["t"]))
                box = union(box, drawn_box)
                marks.append(text)
        else:
            raise ValueError(f"a trend chart cannot draw a {kind!r} layer")
    axis = series_axis(layers)
    x_axis, x_box = bottom_axis([(sx(t), period_label(t, axis))
                                 for t in time_ticks(t0, t1, axis.get("tickCount", 10))],
                                w, h, axis.get("labelFontSize", AXIS_FONT))
    y_axis, y_box = left_axis(y0, y1, sy, w, h)
    box = union(union(box, x_box), y_box)
    size_h, limit = header.get("labelFontSize", 11), header.get("labelLimit", 0)
    label = truncate(title.strip(), size_h, limit)
    head_y = box[1] - size_h - HEADER_OFFSET
    box = union(box, [0.0, head_y, limited_width(title.strip(), size_h, limit), head_y + size_h])
    frame = f"M0.5,0.5h{num(w)}v{num(h)}h-{num(w)}Z"
    body = (f'<path d="{frame}{x_axis[0]}{y_axis[0]}" fill="none" stroke="{GRID}"/>'
            f'<path d="{x_axis[1]}{y_axis[1]}" fill="none" stroke="{AXIS_COLOUR}"/>{x_axis[2]}{y_axis[2]}'
            + "".join(marks) + f'<text y="{num(head_y + vega_round(0.79 * size_h))}" font-size="{num(size_h)}px">'
            f'{escape(label)}</text>')
    return body, [box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1]  # the panel's frame is stroked: 1 px wider


def period_label(ms: float, axis: dict) -> str:
    """A tick's label: as the axis's format writes it, or its `labelExpr` if that is ours (PERIOD_LABELS: the year
    alone on the first day of a year)."""
    expr = axis.get("labelExpr")
    if expr is None:
        return time_format(ms, axis.get("format", "%b %Y"))
    if expr != PERIOD_LABELS:
        raise ValueError(f"trend chart images cannot write axis labels by {expr!r}")
    when = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return time_format(ms, "%Y" if (when.month, when.day) == (1, 1) else "%b %Y")


def series_axis(layers: list[dict]) -> dict:
    """The x axis settings of the line layers (format, tick count, label font size)."""
    for layer in layers:
        axis = layer.get("encoding", {}).get("x", {}).get("axis")
        if isinstance(axis, dict):
            return axis
    return {}


def break_label(row: dict, side: str, mark: dict, x: float) -> tuple[str, list[float]]:
    """A break rule's label (drawn only if the row's side is this layer's side) and its bounds (always)."""
    size = mark.get("fontSize", 11)
    lines = [line.strip() for line in row["label"].split(mark.get("lineBreak", "\n"))] if row.get("side") == side \
        else [""]
    width = max(text_width(line, size) for line in lines)
    x += mark.get("dx", 0)
    y = mark.get("dy", 0) + vega_round(0.79 * size)  # baseline "top"
    align = mark.get("align", "left")
    anchor = ANCHORS[align]
    box = text_box(x, mark.get("dy", 0), width, size, align, "top", len(lines))
    if not any(lines):
        return "", box
    spans = lines[0] and escape(lines[0])
    spans += "".join(f'<tspan x="{num(x)}" dy="{size + 2}">{escape(line)}</tspan>' for line in lines[1:])
    return (f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{num(size)}px" '
            f'fill="{mark.get("color", "#000")}">{spans}</text>'), box


def left_axis(y0: float, y1: float, sy, w: float, h: float) -> tuple[tuple[str, str, str], list]:
    """The y axis (about one tick per 40 px): (grid path, tick and domain path, labels) and its bounds."""
    values = ticks(y0, y1, math.ceil(h / 40))
    decimals = max(0, -exponent(tick_step(y0, y1, math.ceil(h / 40)))) if y1 > y0 else 0
    grid = tick_path = labels = ""
    texts = []
    box = [0.0, 0.0, 0.0, float(h)]
    for v in values:
        y = sy(v)
        at = vega_round(y)
        grid += f"M0.5,{num(at + 0.5)}h{num(w)}"
        tick_path += f"M0.5,{num(at + 0.5)}h-{TICK}"
        box = union(box, [-TICK - 1, at - 1, 1, at + 1])
        text = number_format(v, decimals)
        width = text_width(text, AXIS_FONT)
        right = -TICK - LABEL_PAD
        texts.append((y, "end", text, [right - width, y - AXIS_FONT / 2, right, y + AXIS_FONT / 2]))
    for y, _, text, label_box in shown(texts):
        box = union(box, label_box)
        labels += (f'<text x="{num(0.5 - TICK - LABEL_PAD)}" y="{num(y + 0.5 + vega_round(0.3 * AXIS_FONT))}" '
                   f'text-anchor="end" font-size="{AXIS_FONT}px">{escape(text)}</text>')
    tick_path += f"M0.5,{num(h + 0.5)}v-{num(h)}"
    return (grid, tick_path, labels), box


# -- layout --------------------------------------------------------------------------------------------------------

def grid_layout(boxes: list[list[float]], columns: int, padding: float) -> list[tuple[float, float]]:
    """Where Vega's grid layout (align "none") puts each panel, from its bounds: rows and columns `padding` apart."""
    rows = math.ceil(len(boxes) / columns)
    x_extent, y_extent = [0] * columns, [0] * rows
    for i, box in enumerate(boxes):
        x_extent[i % columns] = max(x_extent[i % columns], math.ceil(box[2]))
        y_extent[i // columns] = max(y_extent[i // columns], math.ceil(box[3]))
    places, xs = [], {}
    for i, box in enumerate(boxes):
        column, row = i % columns, i // columns
        x = 0 if column == 0 else xs[i - 1] + padding + max(0, math.ceil(-box[0])) + x_extent[column - 1]
        xs[i] = x
        y = 0 if row == 0 else places[i - columns][1] + padding + max(0, math.ceil(-box[1])) + y_extent[row - 1]
        places.append((x, y))
    return places
