"""Vega-Lite chart specs, built with altair once per chart type and then filled with data. No I/O.

Colours are from the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), and each
comparison also has its own shape, so colour is never the only signal.
"""

from __future__ import annotations

import json
import marshal
import re
from functools import cache

import altair as alt

from icsite.charts.images import FONT  # our own font first, so the static images never use a system font
from icsite.charts.variants import (ALIGN_BY_SIDE, DX_BY_SIDE, PERIOD_LABELS, PHONE_ROW, PHONE_WIDTH, add_phone,
                                    copied, fewer_ticks, named_rows, phone_config)

COMPARISON_COLOURS = {
    "Better": "#0072B2", "Similar": "#6b6b6b", "Worse": "#D55E00",
    "Lower": "#56B4E9", "Higher": "#9E4A7B", "Not compared": "#ffffff",
}
COMPARISON_SHAPES = {
    "Better": "circle", "Similar": "square", "Worse": "diamond",
    "Lower": "triangle-down", "Higher": "triangle-up", "Not compared": "cross",
}
PUBLISHED_DECIMALS = 4  # values are published to 4 decimal places (the data files round them so)
#: the names altair makes up for unnamed params and views: a process-wide counter (altair 5) or a hash (altair 6)
_MADE_UP_NAME = re.compile(r"\b(param|view)_(?:\d+|[0-9a-f]{16}(?:_\d+)?)\b")


def fresh(template: dict) -> dict:
    """A deep copy of a chart template (plain JSON data), to fill in: marshal copies it 5 times faster than deepcopy."""
    return marshal.loads(marshal.dumps(template))


def published(value) -> float:
    """A value on an indicator's scale as a chart holds it: to the precision the values are published at."""
    return round(float(value), PUBLISHED_DECIMALS)


def template(chart) -> dict:
    """An altair chart as plain JSON data, the same whatever was built before it in this process.

    altair names the params and views it is not given a name for from a counter that every chart built in the
    process advances (or, in newer versions, from a hash of their definition): each such name is replaced by
    its kind and its order of first appearance in this chart (param_1, view_1, ...).
    """
    text = json.dumps(chart.to_dict(validate=False), sort_keys=True)
    renamed: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        kind = match[1]
        if match[0] not in renamed:
            renamed[match[0]] = f"{kind}_{sum(name.startswith(kind) for name in renamed.values()) + 1}"
        return renamed[match[0]]

    return json.loads(_MADE_UP_NAME.sub(rename, text))


def ranked_chart(rows: list[dict], *, title: str, subtitle: str, unit: str, england: float | None,
                 target: float | None, decimals: int) -> dict:
    """Every ICS for one period, best first, with 95% intervals, England's value and the target as rules."""
    spec = fresh(_ranked_template())
    spec["title"] = {"text": title, "subtitle": subtitle, "anchor": "start"}
    spec["height"] = max(200, 16 * len(rows))
    present = [c for c in COMPARISON_COLOURS if any(r["comparison"] == c for r in rows)]
    enc = spec["layer"][1]["encoding"]
    if not any(r.get("lower") is not None and r.get("upper") is not None for r in rows):
        del spec["layer"][0]  # no intervals to draw (counts, scores): the error-bar layer would have no extent
    enc["color"]["scale"] = {"domain": present, "range": [COMPARISON_COLOURS[c] for c in present]}
    enc["shape"]["scale"] = {"domain": present, "range": [COMPARISON_SHAPES[c] for c in present]}
    spec["datasets"] = {"ranked": rows}
    spec["data"] = {"name": "ranked"}
    fmt = f",.{decimals}f"
    for layer in spec["layer"]:
        enc = layer.get("encoding", {})
        for channel in ("x", "x2"):
            if channel in enc and "axis" in enc[channel] and enc[channel]["axis"] is not None:
                enc[channel]["axis"]["format"] = fmt
                enc[channel]["title"] = unit
        for tip in enc.get("tooltip", []):
            if tip.get("type") == "quantitative":
                tip["format"] = fmt
    rules = [{"label": f"England {england:,.{decimals}f}", "value": published(england), "kind": "England"}
             ] if england is not None else []
    if target is not None:
        rules.append({"label": f"Target {target:,.{decimals}f}", "value": published(target), "kind": "Target"})
    values = [v for r in rows for v in (r.get("value"), r.get("lower"), r.get("upper")) if v is not None]
    values += [r["value"] for r in rules]
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    for rule in rules:  # its label beside it, on the side with room: the left in the right part of the plot
        rule["side"] = "left" if hi > lo and (rule["value"] - lo) / (hi - lo) > 0.6 else "right"
    if rules:
        spec["layer"][-2]["data"] = {"values": rules}
        spec["layer"][-1]["data"] = {"values": rules}
    else:  # neither England nor a target: no reference layers (an empty layer makes Vega warn of an infinite extent)
        spec["layer"] = spec["layer"][:-2]
    return ranked_phone(spec, len(rows))


def ranked_phone(spec: dict, count: int) -> dict:
    """A ranked chart with its phone layout: each area's name above its point and interval, the plot the width of
    the screen, rows PHONE_ROW high, fewer ticks, the legend in two columns."""
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    layers = named_rows(spec["layer"], points["encoding"]["y"], {"name": "ranked"}, -7)
    fewer_ticks(layers, 4)
    return add_phone(spec, {"layer": layers, "height": max(120, PHONE_ROW * count), "config": phone_config(spec)})


def keyed(spec: dict, name: str, fields: tuple[str, ...], key: str = "k") -> None:
    """Write the text `fields` that repeat across the rows of data set `name` once each, in a small lookup table.

    Each distinct combination of the fields (missing ones included) gets a number, `key`; a row keeps its number and
    its other fields, and a `lookup` transform, the spec's first, gives the row its fields back before anything
    reads them (in a layered chart, each layer that reads them). The chart is drawn from the same rows, in the same order: only the file is smaller (a profile's
    trend chart repeats the panel's title, the area, its series and its segment on every point).
    """
    rows, combos, out = spec["datasets"][name], {}, []
    for row in rows:  # written out for speed: a large site's trend charts hold millions of rows
        combo = tuple(map(row.get, fields))
        number = combos.get(combo)
        if number is None:
            number = combos[combo] = len(combos)
        kept = row.copy()
        for f in fields:
            kept.pop(f, None)
        kept[key] = number
        out.append(kept)
    table = f"{name}_keys" if key == "k" else f"{name}_{key}_keys"
    spec["datasets"][name] = out
    spec["datasets"][table] = [{key: number, **{f: v for f, v in zip(fields, combo) if v is not None}}
                               for combo, number in combos.items()]
    lookup = {"lookup": key, "from": {"data": {"name": table}, "key": key, "fields": list(fields)}}
    # a layer with data of its own does not see its chart's transforms: each layer that reads the rows looks them up
    readers = [layer for layer in spec.get("layer", []) if layer.get("data", {"name": name}) == {"name": name}]
    for view in readers or [spec]:
        view["transform"] = [lookup] + view.get("transform", [])


def trend_chart(rows: list[dict], *, title: str, area_label: str, columns: int = 2, others: str = "") -> dict:
    """Small multiples, one panel per indicator: the area's values and England's over time.

    Value rows have `title` (the panel), `series` (the area's label or "England"), `segment`, `period`, `period_end`
    and `value`; lines are drawn per (series, segment), so a series never joins across a boundary change. Break
    rows have `title`, `period_end`, `label`, `side` ("left" or "right" of the rule, for its label) and `headroom`
    (a value above the panel's lines, which extends its y scale upwards to leave room for the label) only: a
    vertical rule with that label in that panel. The label's line breaks ("\\n") keep it narrow enough for a panel.

    `others` names a third series drawn in thin grey, one line per `segment` (a story's similar systems).
    """
    spec = fresh(_trend_template())
    spec["title"] = {"text": title, "anchor": "start"}
    spec["datasets"] = {"trend": rows}
    spec["data"] = {"name": "trend"}
    spec["columns"] = columns
    layers = spec["spec"]["layer"]
    line = layers[0]["encoding"]
    domain = [area_label] + ([others] if others else []) + ["England"]
    line["color"]["scale"] = {"domain": domain, "range": ["#0072B2"] + (["#8c8c8c"] if others else []) + ["#333333"]}
    line["strokeDash"]["scale"] = {"domain": domain, "range": [[1, 0]] + ([[1, 0]] if others else []) + [[5, 3]]}
    if not any("label" in r for r in rows):  # no break: only the lines (an empty layer makes Vega warn)
        spec["spec"]["layer"] = layers[:1]
    keyed(spec, "trend", ("title", "series", "segment"))
    keyed(spec, "trend", ("period",), key="p")  # each period label once (period_end stays: it is parsed as a date)
    inner = {**spec["spec"], "width": PHONE_WIDTH - 30}
    return add_phone(spec, {"columns": 1, "spec": inner}, fit=dict(PANEL_FIT))


#: how a page fits trend panels to its width (charts.js): as many columns of at least `min` px (plus `chrome` for
#: the y axis's labels) as fit, `gap` apart, at most `max`
PANEL_FIT = {"kind": "panels", "min": 240, "chrome": 66, "gap": 20, "max": 3}


def _label_on(side: str) -> alt.Text:
    """A rule's label, drawn only by the text layer for its side (the other layer draws an empty string)."""
    return alt.Text(condition={"test": f"datum.side === '{side}'", "field": "label", "type": "nominal"}, value="")


@cache
def _ranked_template() -> dict:
    """The caterpillar chart with placeholder data (built once per process)."""
    base = alt.Chart(alt.Data(name="ranked"))
    y = alt.Y("area:N", sort=alt.EncodingSortField("order", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=220))
    bars = base.mark_rule(strokeWidth=1.5, color="#4d4d4d").encode(
        y=y, x=alt.X("lower:Q", scale=alt.Scale(zero=False), axis=alt.Axis(format=",.1f", tickCount=8), title="value"),
        x2=alt.X2("upper:Q"))
    points = base.mark_point(filled=True, size=70, stroke="#222222", strokeWidth=0.7).encode(
        y=y, x=alt.X("value:Q", axis=alt.Axis(format=",.1f", tickCount=8), title="value"),
        color=alt.Color("comparison:N", title="Compared with England",
                        scale=alt.Scale(domain=list(COMPARISON_COLOURS), range=list(COMPARISON_COLOURS.values()))),
        shape=alt.Shape("comparison:N", title="Compared with England",
                        scale=alt.Scale(domain=list(COMPARISON_SHAPES), range=list(COMPARISON_SHAPES.values()))),
        tooltip=[alt.Tooltip("area:N", title="ICS"), alt.Tooltip("value:Q", title="Value"),
                 alt.Tooltip("lower:Q", title="Lower 95% limit"), alt.Tooltip("upper:Q", title="Upper 95% limit"),
                 alt.Tooltip("comparison:N", title="Compared with England"), alt.Tooltip("rank:O", title="Rank")])
    reference = alt.Chart(alt.Data(values=[]))
    kind_dash = alt.StrokeDash("kind:N", legend=None, scale=alt.Scale(domain=["England", "Target"], range=[[6, 3], [2, 2]]))
    rules = reference.mark_rule(strokeWidth=1.5, color="#222222").encode(
        x=alt.X("value:Q"), strokeDash=kind_dash, tooltip=[alt.Tooltip("label:N", title="Reference")])
    labels = reference.mark_text(align="left", dx=3, dy=-4, baseline="bottom", fontSize=11, color="#222222").encode(
        x=alt.X("value:Q"), y=alt.value(0), text=alt.Text("label:N"),
        # a point scale of two: its ends half a step in, so the labels are 13 px apart
        yOffset=alt.YOffset("kind:N", scale=alt.Scale(domain=["England", "Target"], range=[0, -26])))
    chart = alt.layer(bars, points, rules, labels).properties(width="container").configure(font=FONT).configure_legend(
        orient="top", labelFontSize=12, titleFontSize=12).configure_axis(labelFontSize=11, titleFontSize=12)
    out = template(chart)
    out["layer"][-1]["mark"].update(align=ALIGN_BY_SIDE, dx=DX_BY_SIDE)
    return out


@cache
def _trend_template() -> dict:
    """The small-multiple trend chart with placeholder data (built once per process)."""
    base = alt.Chart()
    x = alt.X("period_end:T", title=None, axis=alt.Axis(format="%b %Y", labelExpr=PERIOD_LABELS, labelAngle=0,
                                                        tickCount=3, labelFontSize=11))
    encoding = dict(
        x=x,
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="top")),
        detail=alt.Detail("segment:N"),
        tooltip=[alt.Tooltip("series:N", title="Area"), alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("value:Q", title="Value", format=",.2f")])
    lines = base.mark_line(point=True, strokeWidth=2).encode(**encoding).transform_filter("isValid(datum.value)")
    breaks = base.transform_filter("isValid(datum.label)")
    rules = breaks.mark_rule(color="#222222", strokeWidth=1.5, strokeDash=[2, 2]).encode(
        x=x, tooltip=[alt.Tooltip("label:N", title="Break in series")])
    room = breaks.mark_point(opacity=0).encode(x=x, y=alt.Y("headroom:Q", title=None, scale=alt.Scale(zero=False)))
    label = {"baseline": "top", "dy": 2, "fontSize": 10, "color": "#222222", "lineBreak": "\n"}
    right, left = (breaks.mark_text(align=align, dx=dx, **label).encode(x=x, y=alt.value(0), text=_label_on(side))
                   for side, align, dx in (("right", "left", 3), ("left", "right", -3)))
    layers = alt.layer(lines, rules, room, right, left, data=alt.Data(name="trend"))
    chart = layers.properties(width=250, height=140).facet(
        facet=alt.Facet("title:N", title=None,
                        header=alt.Header(labelLimit=290, labelFontSize=13, labelAnchor="start")),
        columns=2,
    ).resolve_scale(y="independent", x="independent").configure(font=FONT)
    return template(chart)


def over_time_chart(rows: list[dict], *, title: str, unit: str, decimals: int,
                    changes: list[dict] | None = None, england: bool = True) -> dict:
    """Every ICS as a thin line and England as a thick dashed one, over time (without `england`, for a count, whose
    total for England is not on a board's scale: no England line, key or rows).

    Rows have `area` (the name, for the tooltip), `line` (one line per value: a board's code, joined across ONS
    code changes), `series` ("ICS" or "England"), `period`, `period_end` and `value`. `changes` are vertical rules
    where the map of boards changed: `period_end` (the date), `label`, `side` (of the rule, for the label) and
    `headroom` (a value above the lines, to leave room for the label).
    """
    spec = fresh(_over_time_template())
    spec["title"] = {"text": title, "anchor": "start"}
    spec["datasets"] = {"over_time": rows}
    spec["data"] = {"name": "over_time"}
    if not england:
        if any(r["series"] == "England" for r in rows):
            raise ValueError("an over-time chart without England was given England's rows")
        lines, _, picked, *rest = spec["layer"]
        lines["encoding"]["color"]["scale"] = {"domain": ["ICS"], "range": ["#8fb0cf"]}
        # one board's rows come too, never shown (as England's do otherwise), so that the layer is never empty
        always = json.dumps(rows[0]["line"]) if rows else "''"
        picked["transform"] = [t for t in picked["transform"] if "filter" not in t] + [
            {"filter": f"(datum.series === 'ICS' && datum.area === {PICK}) || datum.line === {always}"}]
        spec["layer"] = [lines, picked, *rest]
    for layer in spec["layer"][:3 if england else 2]:
        layer["encoding"]["y"]["title"] = unit
        layer["encoding"]["y"]["axis"] = {"format": f",.{decimals}f"}
    names = sorted({r["area"] for r in rows if r["series"] == "ICS"})
    spec["params"][0]["bind"].update(options=[""] + names, labels=["None"] + names)
    if changes:
        for layer in spec["layer"][3 if england else 2:]:
            layer["data"] = {"values": changes}
    else:  # no change in the range: just the lines (an empty layer would make Vega warn of an infinite extent)
        spec["layer"] = spec["layer"][:3 if england else 2]
    keyed(spec, "over_time", ("area", "line", "series"))
    keyed(spec, "over_time", ("period",), key="p")
    layers = copied(spec["layer"])
    for layer in layers:
        if layer["mark"]["type"] == "text":
            layer["mark"]["fontSize"] = 10
    fewer_ticks(layers, 3)
    return add_phone(spec, {"layer": layers, "height": 220, "config": phone_config(spec)})


#: the over-time chart's parameter: the name of the ICS picked from the list under it, drawn in PICKED_COLOUR
PICK = "ics"
PICKED_COLOUR = "#D55E00"


@cache
def _over_time_template() -> dict:
    """Thin lines for each ICS under a thick dashed line for England, and rules where boards changed (built once)."""
    x = alt.X("period_end:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0))
    base = alt.Chart(alt.Data(name="over_time")).encode(
        x=x,
        y=alt.Y("value:Q", scale=alt.Scale(zero=False)),
        detail=alt.Detail("line:N"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["England", "ICS"], range=["#111111", "#8fb0cf"])),
        tooltip=[alt.Tooltip("area:N", title="Area"), alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("value:Q", title="Value", format=",.2f")])
    icss = base.mark_line(strokeWidth=1).transform_filter(alt.datum.series == "ICS")
    england = base.mark_line(strokeWidth=3, strokeDash=[6, 3]).transform_filter(alt.datum.series == "England")
    # any ICS can be picked from a list drawn under the chart (options filled in per chart); it is drawn on top
    pick = alt.param(name=PICK, value="", bind=alt.binding_select(options=[""], name="Highlight an ICS: "))
    # England's rows come too, never shown, so that the layer is never empty (an empty one makes Vega warn)
    shown = f"datum.series === 'ICS' && datum.area === {PICK}"
    picked = base.mark_line(strokeWidth=3, point=True).encode(
        color=alt.value(PICKED_COLOUR), opacity=alt.condition(shown, alt.value(1), alt.value(0)),
    ).transform_filter(f"({shown}) || datum.series === 'England'")
    changes = alt.Chart(alt.Data(values=[]))
    rules = changes.mark_rule(color="#222222", strokeWidth=1.5, strokeDash=[2, 2]).encode(
        x=x, tooltip=[alt.Tooltip("label:N", title="Change")])
    room = changes.mark_point(opacity=0).encode(x=x, y=alt.Y("headroom:Q", scale=alt.Scale(zero=False)))
    label = {"baseline": "top", "dy": 2, "fontSize": 11, "color": "#222222"}
    right, left = (changes.mark_text(align=align, dx=dx, **label).encode(x=x, y=alt.value(0), text=_label_on(side))
                   for side, align, dx in (("right", "left", 4), ("left", "right", -4)))
    chart = alt.layer(icss, england, picked, rules, room, right, left).add_params(pick).properties(width="container", height=260).configure(
        font=FONT)
    return template(chart)


def tile_chart(rows: list[dict], *, title: str, subtitle: str, columns: int, rows_count: int) -> dict:
    """A tile map: one square per ICS, placed roughly as on a map, coloured and labelled by its comparison."""
    spec = fresh(_tile_template())
    spec["title"] = {"text": title, "subtitle": subtitle, "anchor": "start"}
    spec["datasets"] = {"tiles": rows}
    spec["data"] = {"name": "tiles"}
    present = [c for c in COMPARISON_COLOURS if any(r.get("comparison") == c for r in rows)]
    for layer in spec["layer"]:
        enc = layer["encoding"]
        enc["x"]["scale"] = {"domain": list(range(columns))}
        enc["y"]["scale"] = {"domain": list(range(rows_count))}
        if "color" in enc:
            enc["color"]["scale"] = {"domain": present, "range": [TILE_COLOURS[c] for c in present]}
    step = PHONE_WIDTH // max(1, columns) if columns else 32
    layers = [{**layer, "mark": {**layer["mark"], "fontSize": 8}} if layer["mark"]["type"] == "text" else layer
              for layer in spec["layer"]]
    return add_phone(spec, {"width": {"step": step}, "height": {"step": round(step * 40 / 46)}, "layer": layers,
                            "config": phone_config(spec)}, fit={"kind": "tiles", "columns": columns})


#: tile fills: light enough for black labels to keep 4.5:1 contrast; the label also names the comparison's mark
TILE_COLOURS = {"Better": "#9cc3e6", "Similar": "#d9d9d9", "Worse": "#f4b183", "Lower": "#c6e0f5",
                "Higher": "#e5c3d9", "Not compared": "#ffffff"}


@cache
def _tile_template() -> dict:
    """Squares and labels on an ordinal grid (built once per process)."""
    base = alt.Chart(alt.Data(name="tiles")).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None))
    squares = base.mark_rect(stroke="#333333", strokeWidth=1).encode(
        color=alt.Color("comparison:N", title="Compared with England", legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("name:N", title="ICS"), alt.Tooltip("value_text:N", title="Value"),
                 alt.Tooltip("comparison:N", title="Compared with England")])
    labels = base.mark_text(fontSize=10, fontWeight="bold", color="#111111").encode(text=alt.Text("label:N"))
    chart = alt.layer(squares, labels).properties(width=alt.Step(46), height=alt.Step(40)).configure(
        font=FONT).configure_view(stroke=None)
    return template(chart)
