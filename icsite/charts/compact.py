"""Smaller chart images with the same pixels: SVG without what an image never draws, PNG compressed better. Pure.

A chart's static SVG is shown in an <img> (and offered for download as a picture), where its internal structure
is never seen: the image's alt text and the page's description and table carry its content. So `slim_svg` drops
from vl-convert's SVG what draws nothing: ARIA and class attributes (an image's inner accessibility tree is not
exposed), zero-size and unpainted background rectangles, hidden foreground paths, labels Vega made transparent to
avoid overlaps, attributes equal to their initial value, and groups left with nothing to do; and it writes the
font list once, on the outermost group, instead of on every text. The same pixels come out (a test renders both).

vl-convert writes PNG rows with the Sub filter and light compression; `smaller_png` writes the same pixels again
unfiltered, at zlib's default level (6), without the alpha channel when every pixel is opaque: about a quarter of
the bytes. (Level 9 saves another tenth of the bytes but takes three times as long: 65 ms, not 23, for a profile's
preview, on every cold build.) Both are deterministic: the same input gives the same bytes (with the zlib that Python was built with, as
for the site's workbooks).
"""

from __future__ import annotations

import re
import struct
import zlib

import numpy as np

#: attributes an SVG shown as an image never uses: its accessibility tree, CSS hooks and pointer events
UNSEEN = {"class", "role", "aria-label", "aria-roledescription", "aria-hidden", "pointer-events"}
#: inherited properties whose initial value is dropped when no ancestor sets the property
INITIAL = {"stroke-width": "1"}
INHERITED = {"fill", "stroke", "stroke-width", "font-family"}
_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_ATTR = re.compile(r'([^\s=/]+)="([^"]*)"')
_NAME = re.compile(r"</?([A-Za-z][\w:-]*)")
EMPTY_PATH = "M0,0h0v0h0Z"


def slim_svg(svg: str) -> str:
    """vl-convert's SVG drawing the same pixels in fewer bytes (see the module's docstring)."""
    tokens = _TOKEN.findall(svg)
    fonts = {dict(_ATTR.findall(t)).get("font-family") for t in tokens if t.startswith("<text")}
    font = next(iter(fonts)) if len(fonts) == 1 and None not in fonts else None
    out: list[str] = []
    # one entry per open element: (kept, inherited properties in effect, position in `out` of its start tag)
    stack: list[tuple[bool, dict, int]] = []
    skip = 0  # depth inside an element that is dropped whole
    geometry = 0  # depth inside <defs>: shapes there are clip paths, used for their outline, never painted
    for token in tokens:
        if not token.startswith("<") or token.startswith(("<?", "<!")):
            if not skip:
                out.append(token)
            continue
        closing, self_closing = token.startswith("</"), token.endswith("/>")
        if skip:
            skip += 0 if self_closing else (-1 if closing else 1)
            continue
        name = _NAME.match(token)[1]
        if closing:
            geometry -= name == "defs"
            kept, _, start = stack.pop()
            if not kept:
                continue
            if name == "g" and start == len(out) - 1:  # a group left empty
                out.pop()
                continue
            out.append(token)
            continue
        attrs = dict(_ATTR.findall(token))
        inherited = dict(stack[-1][1]) if stack else {}
        if not geometry and draws_nothing(name, attrs, inherited):
            skip = 0 if self_closing else 1
            continue
        geometry += name == "defs" and not self_closing
        for key in list(attrs):
            if key in UNSEEN or (key == "opacity" and attrs[key] == "1"):
                del attrs[key]
            elif INITIAL.get(key) == attrs[key] and key not in inherited:
                del attrs[key]
        if name == "text" and font is not None and attrs.get("font-family") == font:
            del attrs["font-family"]
        if name == "svg" and not stack and font is not None:  # the font list once, for every text
            attrs["font-family"] = font
        inherited.update({k: v for k, v in attrs.items() if k in INHERITED})
        if name == "g" and attrs.get("transform") == "translate(0,0)":
            del attrs["transform"]
        if name == "g" and not attrs:  # a group that does nothing: its children take its place
            if not self_closing:
                stack.append((False, inherited, -1))
            continue
        out.append(f"<{name}" + "".join(f' {k}="{v}"' for k, v in attrs.items()) + ("/>" if self_closing else ">"))
        if not self_closing:
            stack.append((True, inherited, len(out) - 1))
    return "".join(out)


def draws_nothing(name: str, attrs: dict, inherited: dict) -> bool:
    """Whether an element (and all it holds) paints no pixel: hidden, transparent, or an unpainted background."""
    if attrs.get("display") == "none" or attrs.get("opacity") == "0":
        return True
    if name != "path":
        return False
    stroke = attrs.get("stroke", inherited.get("stroke", "none"))
    fill = attrs.get("fill", inherited.get("fill", "black"))
    if stroke not in ("none", "transparent"):
        return False
    return attrs.get("d", "") in ("", EMPTY_PATH) or fill in ("none", "transparent")


# --- PNG ----------------------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def smaller_png(png: bytes) -> bytes:
    """The same image in fewer bytes; the input unchanged if it is not the plain 8-bit PNG vl-convert writes."""
    pixels = png_pixels(png)
    if pixels is None:
        return png
    if pixels.shape[2] == 4 and bool((pixels[:, :, 3] == 255).all()):
        pixels = np.ascontiguousarray(pixels[:, :, :3])  # opaque: the alpha channel says nothing
    out = png_bytes(pixels)
    return out if len(out) < len(png) else png


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of every chunk of a PNG file."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        length, kind = struct.unpack_from(">I4s", png, at)
        chunks.append((kind, png[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


def png_pixels(png: bytes) -> np.ndarray | None:
    """The pixels (height x width x channels) of an 8-bit RGB or RGBA, non-interlaced PNG whose rows use the
    None, Sub or Up filters (as vl-convert writes them); None for any other PNG."""
    chunks = png_chunks(png)
    header = dict(chunks).get(b"IHDR", b"")
    if len(header) != 13:
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        return None
    channels = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT")), np.uint8)
    if raw.size != height * (width * channels + 1):
        return None
    rows = raw.reshape(height, width * channels + 1)
    if not np.isin(rows[:, 0], (0, 1, 2)).all():
        return None
    if not (rows[:, 0] == 2).any():  # no row depends on the one above: undo the Sub filter of all rows at once
        lines = rows[:, 1:].reshape(height, width, channels)
        summed = np.cumsum(lines, axis=1, dtype=np.uint8)  # wraps at 256, as the filter does
        return np.where((rows[:, 0] == 1)[:, None, None], summed, lines)
    pixels = np.empty((height, width, channels), np.uint8)
    previous = np.zeros((width, channels), np.uint8)
    for y in range(height):
        line = rows[y, 1:].reshape(width, channels)
        if rows[y, 0] == 1:  # Sub: each byte adds the byte of the pixel to its left
            line = np.cumsum(line, axis=0, dtype=np.uint8)
        elif rows[y, 0] == 2:  # Up: each byte adds the byte above it
            line = line + previous
        pixels[y] = line
        previous = pixels[y]
    return pixels


def png_bytes(pixels: np.ndarray) -> bytes:
    """An 8-bit RGB or RGBA PNG of the pixels, compressed at zlib's default level, with no other chunk.

    Rows are left unfiltered: a chart is mostly runs of one colour, which deflate finds as they are. (Filtering
    each row with the filter of least sum, the usual rule, makes these files a tenth larger and takes longer.)
    """
    height, width, channels = pixels.shape
    raw = np.hstack([np.zeros((height, 1), np.uint8), pixels.reshape(height, width * channels)]).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
