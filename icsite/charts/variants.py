"""Each chart's layout for a phone, kept in its spec (`usermeta.phone`), and how a page fits a chart to its width.

A chart spec holds its desktop layout and, under `usermeta.phone`, the top-level keys that differ on a narrow
screen (a phone): in the page, charts.js takes the phone's keys when the chart's container is narrower than
PHONE_BELOW pixels; the build draws a second static image from them (`phone_json`), which the page serves to narrow
screens (<picture>, PHONE_MEDIA). Both share the spec's data (`datasets`), which the phone's keys never repeat.
`usermeta.fit` tells charts.js how to fit a chart whose size Vega-Lite cannot take from its container: small
multiples (columns and panel width) and tile maps (the tile size).

The phone layouts: a ranked chart or a spine chart writes each row's name above its marks (no axis of names beside
the plot, which took most of a phone's width), in rows tall enough for the name; trend panels go in one column;
tile maps use smaller tiles; every chart asks for fewer axis ticks. No I/O.
"""

from __future__ import annotations

import json

#: the container width (CSS px) under which a page draws a chart's phone layout, and the media query that serves
#: its phone image (the viewport is the container plus the page's margins)
PHONE_BELOW = 600
PHONE_MEDIA = "(max-width: 37.5em)"
PHONE_WIDTH = 300  # the plot width a phone image is drawn at (its <img> shrinks to fit narrower screens)
PHONE_ROW = 34  # px per row of a ranked or spine chart on a phone: the name above, the marks below
NAME_FONT = 12
#: an axis that draws nothing and takes no room (a spec holds no nulls, so not `"axis": null`)
NO_AXIS = {"labels": False, "ticks": False, "domain": False, "grid": False}
TITLE_LIMIT = 220  # px: a phone chart's title and subtitle lines, wrapped to fit beside a y axis on a 320 px screen
#: px: where a phone title's lines are wrapped, short of TITLE_LIMIT: the page's font can be wider than the metrics
#: we measure with, and a line past the limit is cut ("…")
WRAP_AT = 185
#: a reference label's side of its rule, from the row's `side` ("left" near the plot's right end, else "right")
ALIGN_BY_SIDE = {"expr": "datum.side === 'left' ? 'right' : 'left'"}
DX_BY_SIDE = {"expr": "datum.side === 'left' ? -3 : 3"}
#: a time axis's labels: the year alone on a year's first day (yearly data are ticked in years), else month and year
PERIOD_LABELS = "timeFormat(datum.value, month(datum.value) === 0 && date(datum.value) === 1 ? '%Y' : '%b %Y')"


def copied(node):
    """A deep copy of plain JSON data."""
    return json.loads(json.dumps(node))


def add_phone(spec: dict, phone: dict, fit: dict | None = None) -> dict:
    """The spec with its phone layout (`phone`: top-level keys that replace the spec's) and, for both layouts,
    how a page fits it (`fit`, see the module's docstring)."""
    meta = dict(spec.get("usermeta") or {})
    phone = dict(phone)
    if "title" in spec or "title" in phone:
        phone["title"] = phone_title(phone.get("title", spec.get("title")))
    phone_meta = {"variant": "phone"}
    if fit is not None:
        meta["fit"] = fit
        phone_meta["fit"] = fit
    phone["usermeta"] = phone_meta
    meta["phone"] = phone
    spec["usermeta"] = meta
    return spec


def phone_spec(spec: dict) -> dict:
    """The spec as a phone draws it: its phone keys in place of its own (the spec itself if it has none)."""
    phone = (spec.get("usermeta") or {}).get("phone")
    return {**spec, **phone} if isinstance(phone, dict) else spec


def is_phone(spec: dict) -> bool:
    """Whether a spec is a phone layout (`phone_spec`)."""
    return (spec.get("usermeta") or {}).get("variant") == "phone"


def phone_json(spec_json: str) -> str:
    """A spec's phone layout as JSON (the spec's own JSON if it has none), written as `serialise.spec_json` writes."""
    spec = json.loads(spec_json)
    if not isinstance((spec.get("usermeta") or {}).get("phone"), dict):
        return spec_json
    text = json.dumps(phone_spec(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def phone_image(image: str) -> str:
    """The file name of a chart's phone image, from its static image's ("ranked.svg" -> "ranked-phone.svg")."""
    return image[:-4] + "-phone.svg" if image.endswith(".svg") else ""


def named_rows(layers: list[dict], y: dict, data: dict | None, dy: float) -> list[dict]:
    """`layers` with their y axis of names hidden, and a layer that writes each row's name (the y field) at the
    plot's left edge, `dy` pixels from its row's middle (above its marks), cut to the plot's width."""
    out = copied(layers)
    for layer in out:
        channel = layer.get("encoding", {}).get("y")
        if isinstance(channel, dict) and channel.get("field") == y["field"]:
            channel["axis"] = dict(NO_AXIS)
    names = {"mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": dy, "fontSize": NAME_FONT,
                      "color": "#222222", "limit": {"expr": "width"}},
             "encoding": {"x": {"value": 0}, "y": {**copied(y), "axis": dict(NO_AXIS)},
                          "text": {"field": y["field"], "type": "nominal"}}}
    if data is not None:
        names["data"] = copied(data)
    return out + [names]


def fewer_ticks(layers: list[dict], count: int) -> None:
    """Every x axis of `layers` with about `count` ticks (a phone's plot is narrow)."""
    for layer in layers:
        axis = layer.get("encoding", {}).get("x", {}).get("axis")
        if isinstance(axis, dict):
            axis["tickCount"] = count


def phone_config(spec: dict, **legend) -> dict:
    """The spec's config with smaller text and a legend of at most two columns, for a phone."""
    config = copied(spec.get("config", {}))
    config.setdefault("legend", {}).update({"columns": 2, "labelFontSize": 12, "titleFontSize": 12,
                                            "titleLimit": TITLE_LIMIT + 40, **legend})
    config.setdefault("title", {}).update({"limit": TITLE_LIMIT})
    return config


def wrapped(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Text in lines of whole words, each narrower than `width` px in our font if it can be (a longer word is
    a line of its own)."""
    from icsite.charts.font_metrics import text_width  # it reads the font files: only when a title is wrapped

    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold=bold) < width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def phone_title(title) -> dict:
    """A chart's title for a phone: its first line (bold) as the title, the rest of it and its subtitle wrapped
    into lines under it, every line narrower than the narrowest screen's chart."""
    title = dict(title) if isinstance(title, dict) else {"text": str(title or "")}
    head = wrapped(str(title.get("text", "")), 13, WRAP_AT, bold=True)
    subtitle = title.get("subtitle") or []
    lines = [line for part in ([subtitle] if isinstance(subtitle, str) else subtitle)
             for line in wrapped(str(part), 12, WRAP_AT)]
    title.update(text=head[0], subtitle=head[1:] + lines)
    if not title["subtitle"]:
        del title["subtitle"]
    return title
