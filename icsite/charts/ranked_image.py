"""Static SVG images of the indicator pages' ranked charts (`specs.ranked_chart`), drawn by us from their spec.

Each ICS has a row, in the order of its `order` field: its 95% interval as a rule, its value as a point coloured and
shaped by its comparison with England, and England's value and the target as dashed rules across the plot, labelled
above it. The layout is Vega's, as in `trend_image`: a row is a band of the y scale (a point of it when there are no
intervals, as Vega-Lite chooses), the x scale is linear and nice with the axis's ticks, labels and title below and a
grid behind, the area names are cut to the axis's label limit, and the legend and the title sit above. Everything
comes from the spec as `images.draw` receives it (rows as the CSV text of its `datasets`).
"""

from __future__ import annotations

import math
import re
from html import escape

from icsite.charts.font_metrics import text_width
from icsite.charts.svg_parts import (ANCHORS, AXIS_COLOUR, AXIS_FONT, GRID, LEGEND_OFFSET, axis_title, band,
                                     bottom_axis, dash, fine, left_axis, linear, mark_of, num, page, plot_and_rows,
                                     point_marks, scale_map, setting, shift, symbol_legend, text_box,
                                     title_block, union)
from icsite.charts.ticks import nice, number_format, ticks
from icsite.charts.variants import ALIGN_BY_SIDE, DX_BY_SIDE, is_phone

FORMAT = re.compile(r",\.(\d+)f")  # the axis formats we write: thousands separated, a fixed number of decimals


def is_ranked(spec: dict) -> bool:
    """Whether a spec is a ranked chart (`specs.ranked_chart`): points, rules and text over the data set "ranked"."""
    layers = spec.get("layer")
    return (not is_phone(spec) and isinstance(spec.get("data"), dict) and spec["data"].get("name") == "ranked"
            and isinstance(layers, list)
            and any(mark_of(layer)["type"] == "point" for layer in layers)
            and all(mark_of(layer)["type"] in ("rule", "point", "text") for layer in layers))


def ranked_svg(spec: dict) -> str:
    """A ranked chart's static image, as SVG."""
    if not is_ranked(spec):
        raise ValueError("not a ranked chart spec: expected point, rule and text layers over the data set 'ranked'")
    w, h, rows = plot_and_rows(spec, "ranked")
    parts = layers(spec)
    points, intervals = parts["points"], parts.get("intervals")
    y = points["encoding"]["y"]
    order = {}
    for row in rows:
        if row.get(y["field"]) is not None:
            rank = row.get(y.get("sort", {}).get("field", "order"))
            order[row[y["field"]]] = min(order.get(row[y["field"]], math.inf), math.inf if rank is None else rank)
    areas = sorted(order, key=order.get)
    # a rule across x makes Vega-Lite's y a band scale without padding; points alone, a point scale (padding 0.5):
    # the same rows, but a band axis puts its ticks and labels half a pixel up (Vega's tickOffset -0.5)
    banded = intervals is not None
    starts, width = band(len(areas), 0, h, 0, 0) if banded else band(len(areas), 0, h, 1, 0.5)
    centres = {area: start + width / 2 for area, start in zip(areas, starts)}
    sx, (d0, d1) = x_scale(spec, rows, parts, w)

    def place(row: dict) -> float | None:
        return centres.get(row.get(y["field"]))

    axis = next(layer["encoding"]["x"]["axis"] for layer in spec["layer"]
                if isinstance(layer["encoding"].get("x", {}).get("axis"), dict))
    decimals = FORMAT.fullmatch(axis.get("format", ",.0f"))
    if not decimals:
        raise ValueError(f"we cannot write the axis format {axis.get('format')!r}")
    size = setting(spec, "axis", "labelFontSize", AXIS_FONT)
    (grid, x_path, x_labels), x_box = bottom_axis(
        [(sx(v), number_format(v, int(decimals[1]))) for v in ticks(d0, d1, axis.get("tickCount", math.ceil(w / 40)))],
        w, h, size, True)
    text = x_title(spec["layer"])  # none if empty, as Vega draws none
    title, title_box = axis_title(text, w, h, x_box[3] - h, setting(spec, "axis", "titleFontSize", 11)) if text \
        else ("", x_box)
    y_axis = y.get("axis") or {}
    y_path, y_labels, y_box = left_axis([(centres[a] - (0.5 if banded else 0), a, False) for a in areas], h, size,
                                        y_axis.get("labelLimit", 180), True, True)
    view = union(union(union([0.0, 0.0, float(w), float(h)], x_box), title_box), y_box)
    frame = f"M0.5,0.5h{num(w)}v{num(h)}h-{num(w)}Z" if setting(spec, "view", "stroke", GRID) == GRID else ""
    out = [f'<path d="{frame}{grid}" fill="none" stroke="{GRID}"/>',
           f'<path d="{x_path}{y_path}" fill="none" stroke="{AXIS_COLOUR}"/>', x_labels, title, y_labels]
    if intervals:
        svg, box = interval_rules(intervals, rows, sx, place)
        out.append(svg)
        view = union(view, box)
    svg, box = point_marks(points, rows, sx, place)
    out.append(svg)
    view = union(view, box)
    if "references" in parts:
        svg, box = reference_rules(parts["references"], sx, h)
        out.append(svg)
        view = union(view, box)
    if "labels" in parts:
        svg, box = reference_labels(parts["labels"], sx)
        out.append(svg)
        view = union(view, box)
    legend, legend_box = symbol_legend(spec, points, math.floor(min(0.0, x_box[1])) - LEGEND_OFFSET)
    heading, view = title_block(spec.get("title", ""), union(view, legend_box), True)
    return page(view, out + [legend, heading])


def layers(spec: dict) -> dict[str, dict]:
    """The chart's layers by their part: intervals (a rule over the rows), points, references (rules with data of
    their own) and labels (text with data of its own)."""
    out: dict[str, dict] = {}
    for layer in spec["layer"]:
        kind, own = mark_of(layer)["type"], "values" in layer.get("data", {})
        part = {("rule", False): "intervals", ("point", False): "points", ("rule", True): "references",
                ("text", True): "labels"}.get((kind, own))
        if part is None or part in out:
            raise ValueError(f"a ranked chart cannot draw this {kind!r} layer")
        out[part] = layer
    if "points" not in out:
        raise ValueError("a ranked chart needs a point layer")
    return out


def x_scale(spec: dict, rows: list[dict], parts: dict[str, dict], w: float):
    """The linear x scale over every value drawn (nice; from zero unless a layer says not), and its domain."""
    field = parts["points"]["encoding"]["x"]["field"]
    values = [r[field] for r in rows if r.get(field) is not None]
    if "intervals" in parts:  # the rows with a lower limit (Vega-Lite's filter), both limits
        low, high = parts["intervals"]["encoding"]["x"]["field"], parts["intervals"]["encoding"]["x2"]["field"]
        values += [r[f] for r in rows if r.get(low) is not None for f in (low, high) if r.get(f) is not None]
    if "references" in parts:
        field = parts["references"]["encoding"]["x"]["field"]
        values += [r[field] for r in parts["references"]["data"]["values"] if r.get(field) is not None]
    if not values:
        raise ValueError("a ranked chart needs a value to draw")
    settings = [layer["encoding"].get("x", {}).get("scale", {}) for layer in spec["layer"]]
    lo, hi = min(values), max(values)
    if all(s.get("zero", True) is not False for s in settings):
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if all(s.get("nice", True) is not False for s in settings):
        lo, hi = nice(lo, hi)
    return linear(lo, hi, w), (lo, hi)


def x_title(all_layers: list[dict]) -> str:
    """The x axis's title: the layers' own titles, each once (Vega-Lite joins them with commas)."""
    titles = [layer["encoding"][c]["title"] for layer in all_layers for c in ("x", "x2")
              if "title" in layer["encoding"].get(c, {})]
    return ", ".join(dict.fromkeys(str(t) for t in titles if t))


def interval_rules(layer: dict, rows: list[dict], sx, place) -> tuple[str, list[float]]:
    """Each row's interval, a horizontal rule from its lower to its upper limit; and their bounds."""
    mark, enc = mark_of(layer), layer["encoding"]
    stroke = mark.get("strokeWidth", 1)
    path, box = "", [0.0, 0.0, 0.0, 0.0]
    for row in rows:
        y, lower, upper = place(row), row.get(enc["x"]["field"]), row.get(enc["x2"]["field"])
        if y is None or lower is None or upper is None:
            continue
        x1, x2 = sx(lower), sx(upper)
        path += f"M{fine(x1)},{fine(y)}h{fine(x2 - x1)}"
        box = union(box, [min(x1, x2) - stroke, y - stroke, max(x1, x2) + stroke, y + stroke])
    svg = f'<path d="{path}" stroke="{mark.get("color", "#000")}" stroke-width="{num(stroke)}"/>' if path else ""
    return svg, box


def reference_rules(layer: dict, sx, h: float) -> tuple[str, list[float]]:
    """England's value and the target: rules across the plot, dashed as their kind says; and their bounds."""
    mark, enc = mark_of(layer), layer["encoding"]
    stroke, dashes = mark.get("strokeWidth", 1), scale_map(enc.get("strokeDash", {}))
    out, box = [], [0.0, 0.0, 0.0, 0.0]
    for row in layer["data"]["values"]:
        x = sx(row[enc["x"]["field"]])
        out.append(f'<path d="M{fine(x)},0v{num(h)}" stroke="{mark.get("color", "#000")}" stroke-width="{num(stroke)}"'
                   f'{dash(dashes.get(row.get(enc.get("strokeDash", {}).get("field"))))}/>')
        box = union(box, [x - stroke, -stroke, x + stroke, h + stroke])
    return "".join(out), box


def reference_labels(layer: dict, sx) -> tuple[str, list[float]]:
    """The references' labels above the plot, each kind offset as its scale says; and their bounds."""
    mark, enc = mark_of(layer), layer["encoding"]
    size, baseline = mark.get("fontSize", 11), mark.get("baseline", "middle")
    offsets = enc.get("yOffset", {}).get("scale", {})
    kinds = offsets.get("domain", [])
    places = dict(zip(kinds, band(len(kinds), *offsets.get("range", [0, 0]), 1, 0.5)[0]))  # a point scale
    out, box = [], [0.0, 0.0, 0.0, 0.0]
    for row in layer["data"]["values"]:
        text = str(row[enc["text"]["field"]])
        align, dx = by_side(mark.get("align", "center"), row), by_side(mark.get("dx", 0), row)
        x = sx(row[enc["x"]["field"]]) + dx
        y = enc["y"].get("value", 0) + places.get(row.get(enc.get("yOffset", {}).get("field")), 0) + mark.get("dy", 0)
        out.append(f'<text transform="translate({fine(x)},{fine(y + shift(size, baseline))})" text-anchor='
                   f'"{ANCHORS[align]}" font-size="{num(size)}px" fill="{mark.get("color", "#000")}">'
                   f'{escape(text)}</text>')
        box = union(box, text_box(x, y, text_width(text, size), size, align, baseline))
    return "".join(out), box


def by_side(setting, row: dict):
    """A label's mark setting: as it is, or (ALIGN_BY_SIDE, DX_BY_SIDE) as the row's side of its rule says."""
    if setting == ALIGN_BY_SIDE:
        return "right" if row.get("side") == "left" else "left"
    if setting == DX_BY_SIDE:
        return -3 if row.get("side") == "left" else 3
    if isinstance(setting, dict):
        raise ValueError(f"we cannot draw a label whose setting is {setting!r}")
    return setting
