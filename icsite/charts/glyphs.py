"""The text of a chart we draw ourselves, as glyph outlines, for its PNG.

resvg (which draws vl-convert's PNGs) lays text out at about 2 ms a label: three quarters of the time a ranked or
spine chart's PNG took. Given the text as paths instead, it only fills them. Each glyph's outline comes from the
face's `glyf` table (TrueType's quadratic contours, composite glyphs included), is written once (in `<defs>`), and
is placed where `font_metrics` places it (ligatures and kerning, as vl-convert lays text out), unhinted, as resvg
draws it. Only the text our drawers write is converted (a translated line, with more lines as `<tspan x="0"
dy="...">`, in one of our four faces); an SVG with any other text is left as it is (`outlined` returns None).
"""

from __future__ import annotations

import html
import re
import struct
from functools import lru_cache

from icsite.charts.font_metrics import FACES, Face, face_metrics

TEXT = re.compile(r"<text ([^>]*)>(.*?)</text>", re.S)
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
LINE = re.compile(r'<tspan x="0" dy="([-\d.]+)">([^<]*)</tspan>')
TRANSLATE = re.compile(r"translate\(([-\d.e]+),([-\d.e]+)\)")
KNOWN = {"transform", "text-anchor", "font-size", "font-weight", "font-style", "fill"}
SHIFT = {"start": 0.0, "middle": 0.5, "end": 1.0}


class NotOurText(ValueError):
    """A text element our drawers do not write: the SVG keeps its text."""


def outlined(svg: str) -> str | None:
    """`svg` with each text element replaced by its glyphs' outlines; None if it holds text we do not place."""
    used: dict[tuple[int, int], str] = {}  # (face, glyph) -> the id of its outline in <defs>

    def replace(match: re.Match) -> str:
        attributes = dict(ATTRIBUTE.findall(match[1]))
        where = TRANSLATE.fullmatch(attributes.get("transform", "translate(0,0)"))
        size = attributes.get("font-size", "")
        anchor = attributes.get("text-anchor", "start")
        if (set(attributes) - KNOWN or where is None or not re.fullmatch(r"[\d.]+px", size) or anchor not in SHIFT
                or attributes.get("font-weight", "bold") != "bold"
                or attributes.get("font-style", "italic") != "italic"):
            raise NotOurText(match[0])
        first, *rest = match[2].split("<tspan", 1)
        lines = [(0.0, first)] + [(float(dy), text) for dy, text in LINE.findall("<tspan" + rest[0] if rest else "")]
        if "<" in first or (rest and LINE.sub("", "<tspan" + rest[0])):
            raise NotOurText(match[0])
        index = FACES["font-weight" in attributes, "font-style" in attributes]
        face = face_metrics(index)
        scale = float(size[:-2]) / face.per_em
        fill = f' fill="{attributes["fill"]}"' if "fill" in attributes else ""
        out, y = [f'<g transform="{where[0]}"{fill}>'], 0.0
        for dy, text in lines:
            y += dy
            text = html.unescape(text)
            if any(ord(c) not in face.glyphs for c in text):  # resvg would take it from another font
                raise NotOurText(match[0])
            placed, width = face.layout(text)
            x0 = -width * scale * SHIFT[anchor]
            for glyph, x in placed:
                if glyph_path(index, glyph):
                    key = used.setdefault((index, glyph), f"g{index}-{glyph}")
                    out.append(f'<use href="#{key}" transform="translate({x0 + x * scale:.3f},{y:g}) '
                               f'scale({scale:.6f},{-scale:.6f})"/>')
        return "".join(out) + "</g>"

    try:
        body = TEXT.sub(replace, svg)
    except NotOurText:
        return None
    if not used:
        return body
    defs = "<defs>" + "".join(f'<path id="{key}" d="{glyph_path(*glyph)}"/>' for glyph, key in used.items()) + "</defs>"
    opening = body.index(">", body.index("<svg")) + 1
    return body[:opening] + defs + body[opening:]


@lru_cache(maxsize=None)
def glyph_path(face_index: int, glyph: int) -> str:
    """A glyph's outline as SVG path data, in font units (y up, as the font has it)."""
    return "".join(contour_path(contour) for contour in contours(face_metrics(face_index), glyph))


def contours(face: Face, glyph: int, depth: int = 0) -> list[list[tuple[float, float, bool]]]:
    """A glyph's contours: [(x, y, on the curve)] each, a composite glyph's components placed."""
    data, tables = face.data, face.tables
    if b"glyf" not in tables or b"loca" not in tables or depth > 8:
        return []
    if struct.unpack_from(">h", data, tables[b"head"] + 50)[0]:  # indexToLocFormat: long offsets
        start, end = struct.unpack_from(">II", data, tables[b"loca"] + 4 * glyph)
    else:
        start, end = (2 * n for n in struct.unpack_from(">HH", data, tables[b"loca"] + 2 * glyph))
    if start == end:
        return []  # a glyph without an outline (a space)
    at = tables[b"glyf"] + start
    count = struct.unpack_from(">h", data, at)[0]
    return simple_glyph(data, at + 10, count) if count >= 0 else composite_glyph(face, data, at + 10, depth)


def simple_glyph(data: bytes, at: int, count: int) -> list[list[tuple[float, float, bool]]]:
    """A simple glyph's contours (TrueType's flags and delta-coded coordinates)."""
    ends = struct.unpack_from(f">{count}H", data, at)
    at += 2 * count
    points = ends[-1] + 1 if count else 0
    at += 2 + struct.unpack_from(">H", data, at)[0]  # past the instructions
    flags: list[int] = []
    while len(flags) < points:
        flag = data[at]
        at += 1
        flags.append(flag)
        if flag & 8:  # repeated
            flags += [flag] * data[at]
            at += 1

    def coordinates(short: int, same: int) -> list[int]:
        nonlocal at
        out, value = [], 0
        for flag in flags:
            if flag & short:
                value += data[at] if flag & same else -data[at]
                at += 1
            elif not flag & same:
                value += struct.unpack_from(">h", data, at)[0]
                at += 2
            out.append(value)
        return out

    xs = coordinates(2, 16)
    ys = coordinates(4, 32)
    out, first = [], 0
    for end in ends:
        out.append([(xs[i], ys[i], bool(flags[i] & 1)) for i in range(first, end + 1)])
        first = end + 1
    return out


def composite_glyph(face: Face, data: bytes, at: int, depth: int) -> list[list[tuple[float, float, bool]]]:
    """A composite glyph's contours: each component's, scaled and moved by its offset."""
    out = []
    while True:
        flags, glyph = struct.unpack_from(">HH", data, at)
        at += 4
        dx, dy = struct.unpack_from(">hh" if flags & 1 else ">bb", data, at)
        at += 4 if flags & 1 else 2
        if not flags & 2:
            raise NotOurText(f"glyph {glyph} is placed by matching points, which we do not read")
        xx, xy, yx, yy = 1.0, 0.0, 0.0, 1.0
        if flags & 8:  # one scale
            xx = yy = struct.unpack_from(">h", data, at)[0] / 16384
            at += 2
        elif flags & 0x40:  # x and y scales
            xx, yy = (v / 16384 for v in struct.unpack_from(">hh", data, at))
            at += 4
        elif flags & 0x80:  # a two by two matrix
            xx, xy, yx, yy = (v / 16384 for v in struct.unpack_from(">hhhh", data, at))
            at += 8
        for contour in contours(face, glyph, depth + 1):
            out.append([(xx * x + yx * y + dx, xy * x + yy * y + dy, on) for x, y, on in contour])
        if not flags & 0x20:  # no more components
            return out


def contour_path(points: list[tuple[float, float, bool]]) -> str:
    """One closed contour as path data: lines between points on the curve, quadratic curves through those off it
    (two off-curve points in a row have an implied on-curve point midway)."""
    if not points:
        return ""
    start = next((i for i, point in enumerate(points) if point[2]), None)
    if start is None:  # every point off the curve: start midway between the last and the first
        first = ((points[-1][0] + points[0][0]) / 2, (points[-1][1] + points[0][1]) / 2)
        order = points
    else:
        first = points[start][:2]
        order = points[start + 1:] + points[:start + 1]
    path, control = [f"M{first[0]:g} {first[1]:g}"], None
    for x, y, on in order:
        if on:
            path.append(f"Q{control[0]:g} {control[1]:g} {x:g} {y:g}" if control else f"L{x:g} {y:g}")
            control = None
        else:
            if control:
                path.append(f"Q{control[0]:g} {control[1]:g} {(control[0] + x) / 2:g} {(control[1] + y) / 2:g}")
            control = (x, y)
    if control:
        path.append(f"Q{control[0]:g} {control[1]:g} {first[0]:g} {first[1]:g}")
    return "".join(path) + "Z"
