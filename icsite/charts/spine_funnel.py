"""A funnel plot of one indicator against its denominators, and an ICS's Fingertips-style spine chart. No I/O.

Built as in icsite.charts.specs: altair once per chart type (explicit channel classes), then deep-copied and filled with
data. Specs hold no nulls: a row missing a number it needs is left out, and a missing optional field is dropped.
"""

from __future__ import annotations

import json
import math
from functools import cache

import altair as alt
import numpy as np

from icsite.charts.specs import COMPARISON_COLOURS, COMPARISON_SHAPES, FONT, fresh, published, template
from icsite.charts.variants import NO_AXIS, PHONE_ROW, add_phone, copied, named_rows, phone_config
from icsite.compute.stats import poisson_rate_ci, wilson

LIMITS = {"95% limits": 0.95, "99.8% limits": 0.998}
LINE_DASHES = [[1, 0], [6, 3], [2, 2]]  # England, 95% limits, 99.8% limits
LINE_WIDTHS = [2.5, 1.5, 1.5]
GRID_POINTS = 121  # odd, so the middle of the grid is the geometric mean of its ends
GRID_FIGURES = 4  # significant figures of the grid's denominators: they only place the points of drawn lines
POSITION_DECIMALS = 4  # of a spine position on 0-1: a 10,000th of the bar, far under a pixel
SPINE_STEP = 18  # px per indicator
JUDGED, UNJUDGED = "Worst ICS ← → Best ICS", "Lowest ← → Highest"


def _number(value) -> float | None:
    """value as a finite float, or None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def significant(value: float, figures: int) -> float:
    """value rounded to `figures` significant figures (0 stays 0)."""
    return float(f"{value:.{figures}g}")


def funnel_grid(smallest: float, largest: float) -> list[float]:
    """The denominators the funnel's limits are drawn at: GRID_POINTS geometric steps from half the smallest
    denominator to twice the largest, each to GRID_FIGURES significant figures (repeats dropped)."""
    grid = np.geomspace(smallest / 2, largest * 2, GRID_POINTS)
    return list(dict.fromkeys(significant(float(d), GRID_FIGURES) for d in grid))


def _scales(present: list[str]) -> tuple[dict, dict]:
    """Colour and shape scales for the comparisons present, in the fixed order of COMPARISON_COLOURS."""
    return ({"domain": present, "range": [COMPARISON_COLOURS[c] for c in present]},
            {"domain": present, "range": [COMPARISON_SHAPES[c] for c in present]})


def control_limits(england: float, denominators, confidence: float, *, multiplier: float, value_type: str):
    """(lower, upper) control limits around England's value at each denominator, on the indicator's scale, rounded as
    its values are published; None for a value type without limits. Proportions get Wilson limits of a proportion
    equal to England's (numerator = p * n); crude rates get Poisson limits of count = rate * n / multiplier."""
    n = np.asarray(denominators, dtype=float)
    if value_type == "proportion":
        lower, upper = wilson(england / multiplier * n, n, confidence, multiplier)
    elif value_type == "crude_rate":
        lower, upper = poisson_rate_ci(england * n / multiplier, n, multiplier, confidence)
    else:
        return None
    return tuple([published(v) for v in np.atleast_1d(np.asarray(limit, dtype=float))] for limit in (lower, upper))


def funnel_limits(england: float, denominators, *, multiplier: float, value_type: str) -> list[dict]:
    """Control limits around England's value at each denominator (`control_limits`): rows of denominator, value,
    line and side; an empty list for a value type without limits."""
    n = np.asarray(denominators, dtype=float)
    out = []
    for line, confidence in LIMITS.items():
        limits = control_limits(england, n, confidence, multiplier=multiplier, value_type=value_type)
        if limits is None:
            return []
        for side, values in zip(("lower", "upper"), limits):
            out += [{"denominator": float(d), "value": float(v), "line": line, "side": side}
                    for d, v in zip(n, values) if math.isfinite(v)]
    return out


def funnel_verdicts(values, denominators, england: float, polarity: str, confidence: float, *, multiplier: float,
                    value_type: str) -> list[str]:
    """Each point judged by the funnel's own lines: outside the control limits at its denominator, it is better or
    worse (higher or lower, without a judgement) than England; inside, similar. "Not compared" without limits."""
    limits = control_limits(england, denominators, confidence, multiplier=multiplier, value_type=value_type)
    if limits is None:
        return ["Not compared"] * len(values)
    above = {"high_is_good": "Better", "low_is_good": "Worse"}.get(polarity, "Higher")
    below = {"high_is_good": "Worse", "low_is_good": "Better"}.get(polarity, "Lower")
    return [("Not compared" if not (math.isfinite(low) and math.isfinite(high)) else
             above if value > high else below if value < low else "Similar")
            for value, low, high in zip(values, *limits)]


def funnel_chart(rows: list[dict], *, title: str, subtitle: str, unit: str, england: float | None, decimals: int,
                 multiplier: float, value_type: str) -> dict:
    """Each ICS's value against its denominator, with England's value and its 95% and 99.8% control limits.

    Rows have `area`, `value`, `denominator` and `comparison` (a key of COMPARISON_COLOURS; missing -> "Not
    compared"); rows without a value or a positive denominator are left out. The x scale is logarithmic when the
    denominators span more than tenfold. The limits are drawn over a grid from half the smallest denominator to
    twice the largest, in the dataset "funnel_limits" (the y scale stops at their extent over the points'
    denominators, and lines are clipped there); with England missing, there are neither limits nor line.
    """
    points = []
    for r in rows:
        value, denominator = _number(r.get("value")), _number(r.get("denominator"))
        if value is not None and denominator is not None and denominator > 0:
            points.append({**{k: v for k, v in r.items() if v is not None}, "value": published(value),
                           "denominator": published(denominator), "comparison": r.get("comparison") or "Not compared"})
    spec = fresh(_funnel_template())
    spec["title"] = {"text": title, "subtitle": subtitle, "anchor": "start"}
    ns = [p["denominator"] for p in points]
    log = bool(ns) and max(ns) > 10 * min(ns)
    grid = funnel_grid(min(ns), max(ns)) if ns else []
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    x["scale"]["type"] = "log" if log else "linear"
    if log:  # a log scale never includes zero: Vega-Lite warns when told not to
        x["scale"].pop("zero", None)
    x["title"] = "Denominator (people or events)" + (", log scale" if log else "")
    y["title"], y["axis"]["format"] = unit, f",.{decimals}f"
    lines = []
    if england is not None and grid:
        label = f"England {england:,.{decimals}f}"
        lines = [{"denominator": d, "value": published(england), "line": label, "side": "centre"}
                 for d in (grid[0], grid[-1])]
        lines += funnel_limits(england, grid, multiplier=multiplier, value_type=value_type)
        names = [label, *LIMITS]
        enc = spec["layer"][0]["encoding"]
        enc["strokeDash"]["scale"] = {"domain": names, "range": LINE_DASHES}
        enc["strokeWidth"]["scale"] = {"domain": names, "range": LINE_WIDTHS}
        enc["tooltip"][1]["format"] = f",.{decimals}f"
        # the y scale covers the points and the limits over the points' denominators, not the grid's wider ends
        shown = [p["value"] for p in points] + [r["value"] for r in lines if r["denominator"] >= min(ns)]
        y["scale"]["domain"] = [min(shown), max(shown)]
    else:  # nothing to draw: an empty layer would make Vega warn of an infinite extent
        del spec["layer"][0]
    enc = spec["layer"][-1]["encoding"]
    present = [c for c in COMPARISON_COLOURS if any(p["comparison"] == c for p in points)]
    enc["color"]["scale"], enc["shape"]["scale"] = _scales(present)
    enc["tooltip"][1]["format"] = f",.{decimals}f"
    spec["datasets"] = {"funnel": points, "funnel_limits": lines}
    spec["data"] = {"name": "funnel"}
    encoding = copied(spec["encoding"])
    encoding["x"]["axis"]["tickCount"] = 3
    encoding["y"]["axis"]["tickCount"] = 5
    layers = copied(spec["layer"])  # on a phone the two legends do not fit side by side: the lines' goes below
    for channel in ("strokeDash", "strokeWidth"):
        if channel in layers[0]["encoding"] and len(layers) > 1:
            layers[0]["encoding"][channel]["legend"] = {"orient": "bottom", "symbolSize": 300}
    return add_phone(spec, {"encoding": encoding, "layer": layers, "height": 280, "config": phone_config(spec)})


@cache
def _funnel_template() -> dict:
    """Limit lines under the ICSs' points, sharing a denominator x and a value y (built once per process)."""
    line_kind = {"title": "Reference lines", "legend": alt.Legend(orient="top", symbolSize=300)}
    lines = alt.Chart(alt.Data(name="funnel_limits")).mark_line(color="#333333", clip=True).encode(
        strokeDash=alt.StrokeDash("line:O", **line_kind), strokeWidth=alt.StrokeWidth("line:O", **line_kind),
        detail=alt.Detail("side:N"),
        tooltip=[alt.Tooltip("line:N", title="Line"), alt.Tooltip("value:Q", title="Value"),
                 alt.Tooltip("denominator:Q", title="Denominator", format=",.0f")])
    comparison = {"title": "Against England's 95% limits", "legend": alt.Legend(orient="top")}
    points = alt.Chart(alt.Data(name="funnel")).mark_point(
        filled=True, size=70, stroke="#222222", strokeWidth=0.7).encode(
        color=alt.Color("comparison:N", **comparison), shape=alt.Shape("comparison:N", **comparison),
        tooltip=[alt.Tooltip("area:N", title="ICS"), alt.Tooltip("value:Q", title="Value"),
                 alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
                 alt.Tooltip("comparison:N", title="Against England's 95% limits")])
    chart = alt.layer(lines, points).encode(
        x=alt.X("denominator:Q", scale=alt.Scale(type="linear", zero=False, nice=False),
                axis=alt.Axis(format="~s", tickCount=6, grid=False)),
        y=alt.Y("value:Q", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.1f", tickCount=6)),
    ).properties(width="container", height=320).configure(font=FONT).configure_legend(
        labelFontSize=12, titleFontSize=12).configure_axis(labelFontSize=11, titleFontSize=12)
    return template(chart)


def spine_position(value: float, lowest: float, highest: float, polarity: str) -> float:
    """value on the spine's 0-1 scale: the worst ICS at 0, the best at 1 (lowest to highest without polarity).

    A value outside the ICSs' range is held at the nearest end; with every ICS equal, everything sits at 0.5.
    """
    if highest == lowest:
        return 0.5
    share = (value - lowest) / (highest - lowest)
    return min(1.0, max(0.0, 1 - share if polarity == "low_is_good" else share))


def spine_chart(rows: list[dict], *, title: str, area_label: str) -> dict:
    """One bar per indicator, in the given order: the ICSs' range (light), interquartile range (dark), England's
    value (a black tick) and this ICS's value (a point, coloured and shaped by its comparison with England).

    Rows have `title` (the indicator's short title; titles must be unique), `polarity`, `value`, `england`, `min`,
    `q25`, `q75`, `max` (on the indicator's scale), `comparison`, `value_text` and `england_text` (formatted, for
    tooltips). Positions are computed here (x_min, x_max, x_q25, x_q75, x_england, x_ics on 0-1), and `scale`
    notes which way each bar runs: no_judgement indicators run lowest to highest (in italics when mixed with
    judged ones), the rest worst to best. A row whose min equals its max has everything at 0.5 and a `note`.
    """
    out = []
    for order, r in enumerate(rows):
        judged = r.get("polarity") in ("high_is_good", "low_is_good")
        row = {"title": r["title"], "order": order, "scale": JUDGED if judged else UNJUDGED,
               "comparison": r.get("comparison") or "Not compared",
               "value_text": r.get("value_text") or "no value", "england_text": r.get("england_text") or "no value"}
        lowest, highest = _number(r.get("min")), _number(r.get("max"))
        if lowest is not None and highest is not None:
            row.update(x_min=0.0, x_max=1.0, **({"note": "Every ICS has the same value"} if lowest == highest else {}))
            for key, field in (("x_q25", "q25"), ("x_q75", "q75"), ("x_england", "england"), ("x_ics", "value")):
                number = _number(r.get(field))
                if number is not None:
                    row[key] = round(spine_position(number, lowest, highest, r.get("polarity", "no_judgement")),
                                     POSITION_DECIMALS)
        out.append(row)
    spec = fresh(_spine_template())
    spec["title"] = {"text": title, "anchor": "start", "subtitle": [
        "Light bar: range of ICSs. Dark bar: middle half of ICSs (25th to 75th percentile).",
        f"Black line: England. Point: {area_label}."]}
    spec["height"] = SPINE_STEP * max(1, len(out))
    spec["encoding"]["y"]["scale"] = {"domain": [r["title"] for r in out]}
    scales = {r["scale"] for r in out}
    axis_title = (f"{JUDGED} (in italics, no judgement: {UNJUDGED.lower()})" if len(scales) == 2
                  else scales.pop() if scales else JUDGED)
    if len(scales) == 2:  # italic labels mark the indicators that run lowest to highest
        unjudged = json.dumps([r["title"] for r in out if r["scale"] == UNJUDGED])
        spec["encoding"]["y"]["axis"]["labelFontStyle"] = {
            "condition": {"test": f"indexof({unjudged}, datum.value) >= 0", "value": "italic"}, "value": "normal"}
    for layer in spec["layer"]:
        layer["encoding"]["x"]["title"] = axis_title
    enc = spec["layer"][-1]["encoding"]
    present = [c for c in COMPARISON_COLOURS if any(r["comparison"] == c and "x_ics" in r for r in out)]
    enc["color"]["scale"], enc["shape"]["scale"] = _scales(present)
    enc["color"]["title"] = enc["shape"]["title"] = f"{area_label} compared with England"
    spec["datasets"] = {"spine": out}
    spec["data"] = {"name": "spine"}
    return spine_phone(spec, area_label, len(out))


def spine_phone(spec: dict, area_label: str, count: int) -> dict:
    """A spine chart with its phone layout: each indicator's name above its bars (in italics as the axis's were),
    rows PHONE_ROW high, the bars thinner, the titles in shorter lines."""
    y = spec["encoding"]["y"]
    encoding = {**spec["encoding"], "y": {**y, "axis": dict(NO_AXIS)}}
    layers = named_rows(spec["layer"], {k: v for k, v in y.items() if k != "axis"}, None, -8)
    style = (y.get("axis") or {}).get("labelFontStyle")
    if isinstance(style, dict):  # the same test, of the row's title rather than the axis label's value
        test = style["condition"]["test"].replace("datum.value", "datum.title")
        layers[-1]["mark"]["fontStyle"] = {"expr": f"({test}) ? 'italic' : 'normal'"}
    for layer in layers[:-1]:
        mark = layer["mark"]
        if mark["type"] == "bar":
            mark["height"] = {"band": 0.35}
        elif mark["type"] == "tick":
            mark["size"] = 12
        layer["encoding"]["x"]["title"] = [part.strip() for part in layer["encoding"]["x"]["title"].split("(")]
        if len(layer["encoding"]["x"]["title"]) > 1:
            layer["encoding"]["x"]["title"][1] = "(" + layer["encoding"]["x"]["title"][1]
        for channel in ("color", "shape"):
            if channel in layer["encoding"]:
                layer["encoding"][channel]["legend"] = {"orient": "top", "titleLimit": 280}
    title = {"text": spec["title"]["text"], "anchor": "start", "subtitle": [
        "Light bar: range of ICSs.", "Dark bar: middle half of ICSs.", "Black line: England.",
        f"Point: {area_label}."]}
    return add_phone(spec, {"encoding": encoding, "layer": layers, "height": PHONE_ROW * max(1, count),
                            "title": title, "config": phone_config(spec)})


@cache
def _spine_template() -> dict:
    """Range bar, interquartile bar, England tick and ICS point per indicator (built once per process)."""
    tooltip = [alt.Tooltip("title:N", title="Indicator"), alt.Tooltip("value_text:N", title="This ICS"),
               alt.Tooltip("england_text:N", title="England"),
               alt.Tooltip("comparison:N", title="Compared with England"),
               alt.Tooltip("scale:N", title="Bar runs"), alt.Tooltip("note:N", title="Note")]
    base = alt.Chart(alt.Data(name="spine")).encode(tooltip=tooltip)
    x = {"scale": alt.Scale(domain=[0, 1], nice=False, padding=8), "title": JUDGED,
         "axis": alt.Axis(labels=False, ticks=False, grid=False, domain=False)}  # the same on every layer
    full = base.mark_bar(color="#e4e4e4", height={"band": 0.75}).encode(
        x=alt.X("x_min:Q", **x), x2=alt.X2("x_max:Q")).transform_filter("isValid(datum.x_min)")
    middle = base.mark_bar(color="#a9a9a9", height={"band": 0.75}).encode(
        x=alt.X("x_q25:Q", **x), x2=alt.X2("x_q75:Q")).transform_filter("isValid(datum.x_q25) && isValid(datum.x_q75)")
    england = base.mark_tick(color="#111111", thickness=2.5, size=SPINE_STEP - 2).encode(
        x=alt.X("x_england:Q", **x)).transform_filter("isValid(datum.x_england)")
    comparison = {"title": "Compared with England", "legend": alt.Legend(orient="top", titleLimit=600)}
    point = base.mark_point(filled=True, size=70, stroke="#222222", strokeWidth=0.8).encode(
        x=alt.X("x_ics:Q", **x), color=alt.Color("comparison:N", **comparison),
        shape=alt.Shape("comparison:N", **comparison)).transform_filter("isValid(datum.x_ics)")
    chart = alt.layer(full, middle, england, point).encode(
        y=alt.Y("title:N", title="", axis=alt.Axis(labelLimit=260, ticks=False, domain=False)),  # order: its domain
    ).properties(width="container").configure(font=FONT).configure_legend(
        labelFontSize=12, titleFontSize=12).configure_axis(labelFontSize=11, titleFontSize=12).configure_view(
        stroke="transparent")
    return template(chart)
