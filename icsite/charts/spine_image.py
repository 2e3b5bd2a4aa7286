"""Static SVG images of the profiles' spine charts (`spine_funnel.spine_chart`), drawn by us from their spec.

One row per indicator, in the order of the y scale's domain: the ICSs' range as a light bar, their interquartile
range as a dark one, England's value as a tick and this ICS's value as a point coloured and shaped by its comparison
with England, all on the spine's 0-1 scale. The layout is Vega's, as in `trend_image`: a row is a band of the y scale
(Vega-Lite's bar padding), the x scale keeps its pixel padding at both ends, the indicator names are cut to the axis's
label limit (those that run lowest to highest in italics, as the axis's condition says), the x axis is its title
alone, and the legend and the title sit above. Everything comes from the spec as `images.draw` receives it.
"""

from __future__ import annotations

import json
import re

from icsite.charts.variants import is_phone
from icsite.charts.svg_parts import (AXIS_COLOUR, AXIS_FONT, GRID, LEGEND_OFFSET, axis_title, band, fine, left_axis,
                                     linear, mark_of, num, page, plot_and_rows, point_marks, setting,
                                     symbol_legend, title_block, union)

ITALIC_TEST = re.compile(r"indexof\((\[.*\]), datum\.value\) >= 0")
BAR_PADDING = 0.1  # Vega-Lite's padding between the bands of a bar chart (and half that at the ends)


def is_spine(spec: dict) -> bool:
    """Whether a spec is a spine chart (`spine_funnel.spine_chart`): bars, ticks and points over the data set
    "spine", sharing a y scale of indicators."""
    layers = spec.get("layer")
    return (not is_phone(spec) and isinstance(spec.get("data"), dict) and spec["data"].get("name") == "spine"
            and isinstance(layers, list)
            and any(mark_of(layer)["type"] == "bar" for layer in layers)
            and all(mark_of(layer)["type"] in ("bar", "tick", "point") for layer in layers)
            and isinstance(spec.get("encoding", {}).get("y", {}).get("scale", {}).get("domain"), list))


def spine_svg(spec: dict) -> str:
    """A spine chart's static image, as SVG."""
    if not is_spine(spec):
        raise ValueError("not a spine chart spec: expected bar, tick and point layers over the data set 'spine'")
    w, h, rows = plot_and_rows(spec, "spine")
    y = spec["encoding"]["y"]
    titles = [str(t) for t in y["scale"]["domain"]]
    starts, width = band(len(titles), 0, h, BAR_PADDING, BAR_PADDING / 2)
    bands = dict(zip(titles, starts))

    def place(row: dict) -> float | None:
        start = bands.get(row.get(y["field"]))
        return None if start is None else start + width / 2

    sx = x_scale(spec["layer"], w)
    size = setting(spec, "axis", "labelFontSize", AXIS_FONT)
    axis = y.get("axis") or {}
    italic = italic_titles(axis.get("labelFontStyle"))
    y_path, y_labels, view = left_axis([(bands[t] + width / 2 - 0.5, t, t in italic) for t in titles], h, size,
                                       axis.get("labelLimit", 180), axis.get("ticks", True) is not False,
                                       axis.get("domain", True) is not False)
    view = union(view, [0.0, 0.0, float(w), float(h)])
    out = [f'<path d="{y_path}" fill="none" stroke="{AXIS_COLOUR}"/>' if y_path else "", y_labels]
    x_axis = spec["layer"][0]["encoding"]["x"].get("axis") or {}
    if any(x_axis.get(part) is not False for part in ("labels", "ticks", "domain", "grid")):
        raise ValueError("we draw a spine chart's x axis as its title alone (no labels, ticks, line or grid)")
    x_title = next((str(layer["encoding"]["x"]["title"]) for layer in spec["layer"]
                    if layer["encoding"]["x"].get("title")), "")
    if x_title:
        title, box = axis_title(x_title, w, h, 0, setting(spec, "axis", "titleFontSize", 11))
        out.insert(0, title)
        view = union(view, box)
    if setting(spec, "view", "stroke", GRID) == GRID:
        out.insert(0, f'<path d="M0.5,0.5h{num(w)}v{num(h)}h-{num(w)}Z" fill="none" stroke="{GRID}"/>')
    points = next((layer for layer in spec["layer"] if mark_of(layer)["type"] == "point"), None)
    if points is None:
        raise ValueError("a spine chart needs a point layer")
    for layer in spec["layer"]:
        if layer is points:
            svg, box = point_marks(layer, rows, sx, place)
        else:
            svg, box = rects(layer, rows, sx, lambda row: bands.get(row.get(y["field"])), width)
        out.append(svg)
        view = union(view, box)
    legend, legend_box = symbol_legend(spec, points, -LEGEND_OFFSET)  # above the plot: no axis at its top
    heading, view = title_block(spec.get("title", ""), union(view, legend_box), True)
    return page(view, out + [legend, heading])


def x_scale(all_layers: list[dict], w: float):
    """The x scale: the layers' domain (0-1), widened so that its ends lie `padding` pixels inside the plot."""
    scale = next(layer["encoding"]["x"]["scale"] for layer in all_layers if "scale" in layer["encoding"]["x"])
    lo, hi = scale.get("domain", [0, 1])
    if scale.get("nice") is not False:
        raise ValueError("a spine chart's x scale has a fixed domain (nice: false)")
    pad = scale.get("padding", 0)
    if pad and hi != lo:  # Vega's padDomain: the domain zoomed about its middle
        middle, zoom = (lo + hi) / 2, w / (w - 2 * pad)
        lo, hi = middle + (lo - middle) * zoom, middle + (hi - middle) * zoom
    return linear(lo, hi, w)


def italic_titles(style) -> set[str]:
    """The labels the axis draws in italics: those its labelFontStyle condition lists (`indexof([...])`)."""
    if not isinstance(style, dict):
        if style in (None, "normal"):
            return set()
        raise ValueError(f"we cannot draw axis labels in the style {style!r}")
    condition = style.get("condition", {})
    match = ITALIC_TEST.fullmatch(condition.get("test", ""))
    if not match or condition.get("value") != "italic" or style.get("value", "normal") != "normal":
        raise ValueError("a spine chart's labels are italic by an `indexof([...], datum.value) >= 0` test only")
    return {str(t) for t in json.loads(match[1])}


def rects(layer: dict, rows: list[dict], sx, band_of, width: float) -> tuple[str, list[float]]:
    """A bar layer (from x to x2, a share of the band high, centred in it) or a tick layer (`thickness` wide and
    `size` high, centred on x and the band; band_of(row) is where its band starts): their SVG (one element per rect
    if translucent) and bounds."""
    mark, enc = mark_of(layer), layer["encoding"]
    field, end = enc["x"]["field"], enc.get("x2", {}).get("field")
    colour, opacity = mark.get("color", "#4c78a8"), mark.get("opacity", 0.7 if mark["type"] == "tick" else 1)
    paths, box = [], [0.0, 0.0, 0.0, 0.0]
    for row in rows:
        start = band_of(row)
        if start is None or row.get(field) is None or (end and row.get(end) is None):
            continue
        if mark["type"] == "bar":
            share = mark.get("height", {}).get("band", 1)
            high = max(0.25, share * width)
            x1, x2 = sorted((sx(row[field]), sx(row[end])))
            top = start + (width - high) / 2
        else:
            high, x1 = mark.get("size", width), sx(row[field]) - mark.get("thickness", 1) / 2
            x2, top = x1 + mark.get("thickness", 1), start + width / 2 - mark.get("size", width) / 2
        paths.append(f"M{fine(x1)},{fine(top)}h{fine(x2 - x1)}v{fine(high)}h{fine(x1 - x2)}Z")
        box = union(box, [x1, top, x2, top + high])
    if not paths:
        return "", box
    if opacity == 1:  # opaque rects that never overlap: one path
        return f'<path d="{"".join(paths)}" fill="{colour}"/>', box
    return "".join(f'<path d="{p}" fill="{colour}" opacity="{num(opacity)}"/>' for p in paths), box
