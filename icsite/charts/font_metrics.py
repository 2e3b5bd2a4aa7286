"""Text widths in our chart font, read from its TrueType faces, as vl-convert measures them for Vega; and labels
cut to a width with "…" as Vega cuts them (`truncate`).

A text's width is the sum of its glyphs' advance widths (`hmtx`, `hhea`; characters to glyphs by `cmap`), after the
font's standard ligatures (the `liga` feature of `GSUB`: "ffi" is one glyph) and with its pair kerning (the `kern`
feature of `GPOS`: "To" is narrower than "T" and "o"), scaled to the font size. No other feature changes the width
of the text our charts hold.
"""

from __future__ import annotations

import struct
from functools import cache, lru_cache
from pathlib import Path

from icsite.charts.images import font_files

#: the faces by (bold, italic), in the order `images.FONT_FACES` lists them
FACES = {(False, False): 0, (True, False): 1, (False, True): 2, (True, True): 3}


def text_width(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """The width of `text` in pixels at font size `size` in our font (one of its four faces), as a 32-bit float
    (as vl-convert measures it, so that a layout rounded up to whole pixels comes out the same)."""
    face = FACES[bold, italic]
    return struct.unpack("f", struct.pack("f", units(text, face) * size / face_metrics(face).per_em))[0]


def truncate(text: str, size: float, limit: float, bold: bool = False, italic: bool = False) -> str:
    """Text cut with "…" to less than `limit` pixels wide, as Vega cuts labels (no limit if 0)."""
    if limit <= 0 or not text or text_width(text, size, bold, italic) < limit:
        return text
    room = limit - text_width("…", size, bold, italic)
    lo, hi = 0, len(text)
    while lo < hi:
        mid = 1 + ((lo + hi) >> 1)
        if text_width(text[:mid], size, bold, italic) < room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def limited_width(text: str, size: float, limit: float, bold: bool = False, italic: bool = False) -> float:
    """The width Vega gives a text with a limit: the limit if it was cut, else its own width."""
    width = text_width(text, size, bold, italic)
    return min(width, limit) if limit > 0 else width


@lru_cache(maxsize=65536)
def units(text: str, face: int) -> int:
    """The width of `text` in one of our faces, in font units."""
    return face_metrics(face).width(text)


@cache
def face_metrics(index: int) -> Face:
    """One of our faces (see FACES), read."""
    return Face(font_files()[index])


class Face:
    """The metrics of a TrueType face: glyphs, advance widths, ligatures and pair kerning."""

    def __init__(self, path: Path):
        data = self.data = path.read_bytes()
        self.tables = table_offsets(data)
        for tag in (b"head", b"hhea", b"hmtx", b"cmap"):
            if tag not in self.tables:
                raise ValueError(f"{path.name} has no {tag.decode()} table: its text cannot be measured")
        self.per_em = struct.unpack_from(">H", data, self.tables[b"head"] + 18)[0]
        count = struct.unpack_from(">H", data, self.tables[b"hhea"] + 34)[0]  # numberOfHMetrics
        self.advances = struct.unpack_from(f">{2 * count}H", data, self.tables[b"hmtx"])[::2]
        self.glyphs = character_glyphs(data, self.tables[b"cmap"])
        self.ligatures: dict[int, list[tuple[tuple[int, ...], int]]] = {}
        for at in self.lookups(b"GSUB", b"liga", 4, 7):
            self.read_ligatures(at)
        self.kerns: list[tuple] = []  # per subtable: (covered, pairs) or (covered, classes, classes, ...)
        for at in self.lookups(b"GPOS", b"kern", 2, 9):
            self.read_kerning(at)
        self.kerned: dict[tuple[int, int], int] = {}

    def advance(self, glyph: int) -> int:
        """A glyph's advance width (glyphs past the last metric repeat its advance)."""
        return self.advances[min(glyph, len(self.advances) - 1)]

    def width(self, text: str) -> int:
        """The width of `text`, in font units: its glyphs' advances, after ligatures, with kerning."""
        return self.layout(text)[1]

    def layout(self, text: str) -> tuple[list[tuple[int, int]], int]:
        """`text` set in a line: [(glyph, its x in font units)] after ligatures, with kerning; and the line's width."""
        glyphs = [self.glyphs.get(ord(c), 0) for c in text]
        out: list[int] = []
        i = 0
        while i < len(glyphs):
            for rest, ligature in self.ligatures.get(glyphs[i], ()):
                if tuple(glyphs[i + 1:i + 1 + len(rest)]) == rest:
                    out.append(ligature)
                    i += 1 + len(rest)
                    break
            else:
                out.append(glyphs[i])
                i += 1
        placed, x = [], 0
        for n, glyph in enumerate(out):
            placed.append((glyph, x))
            x += self.advance(glyph) + (self.kerning(glyph, out[n + 1]) if n + 1 < len(out) else 0)
        return placed, x

    def kerning(self, first: int, second: int) -> int:
        """The kerning of a glyph pair: that of the first subtable with the pair (or the first glyph's class)."""
        pair = (first, second)
        if pair not in self.kerned:
            self.kerned[pair] = 0
            for covered, *table in self.kerns:
                if first not in covered:
                    continue
                if len(table) == 1:  # pairs of glyphs: one without this pair leaves it to the next subtable
                    if pair in table[0]:
                        self.kerned[pair] = table[0][pair]
                        break
                    continue
                class1, class2, count2, at, size, offset = table
                row = class1.get(first, 0) * count2 + class2.get(second, 0)
                self.kerned[pair] = struct.unpack_from(">h", self.data, at + row * size + offset)[0]
                break
        return self.kerned[pair]

    def lookups(self, table: bytes, feature: bytes, kind: int, extension: int) -> list[int]:
        """The subtables (their offsets) of a feature's lookups of one type, in lookup order."""
        if table not in self.tables:
            return []
        data, at = self.data, self.tables[table]
        features, lookups = (at + offset for offset in struct.unpack_from(">HH", data, at + 6))
        indices: set[int] = set()
        for i in range(struct.unpack_from(">H", data, features)[0]):
            tag, offset = struct.unpack_from(">4sH", data, features + 2 + 6 * i)
            if tag == feature:
                count = struct.unpack_from(">H", data, features + offset + 2)[0]
                indices.update(struct.unpack_from(f">{count}H", data, features + offset + 4))
        out = []
        for index in sorted(indices):
            lookup = lookups + struct.unpack_from(">H", data, lookups + 2 + 2 * index)[0]
            lookup_type, _, count = struct.unpack_from(">HHH", data, lookup)
            for offset in struct.unpack_from(f">{count}H", data, lookup + 6):
                sub = lookup + offset
                if lookup_type == extension:  # a 32-bit offset to a subtable of the real type
                    lookup_type_here, far = struct.unpack_from(">HI", data, sub + 2)
                    if lookup_type_here == kind:
                        out.append(sub + far)
                elif lookup_type == kind:
                    out.append(sub)
        return out

    def read_ligatures(self, at: int) -> None:
        """A ligature substitution subtable: first glyph -> [(the glyphs after it, the ligature)]."""
        data = self.data
        _, coverage, count = struct.unpack_from(">HHH", data, at)
        firsts = coverage_glyphs(data, at + coverage)
        for first, offset in zip(firsts, struct.unpack_from(f">{count}H", data, at + 6)):
            group = at + offset
            for lig in struct.unpack_from(f">{struct.unpack_from('>H', data, group)[0]}H", data, group + 2):
                glyph, parts = struct.unpack_from(">HH", data, group + lig)
                rest = struct.unpack_from(f">{parts - 1}H", data, group + lig + 4)
                self.ligatures.setdefault(first, []).append((rest, glyph))

    def read_kerning(self, at: int) -> None:
        """A pair adjustment subtable: its glyph pairs, or its class matrix (the first glyph's advance only)."""
        data = self.data
        fmt, coverage, format1, format2 = struct.unpack_from(">HHHH", data, at)
        size1, size2 = 2 * bin(format1 & 0xFF).count("1"), 2 * bin(format2 & 0xFF).count("1")
        offset = 2 * bin(format1 & 0x3).count("1")  # where XAdvance sits in the first value record
        firsts = coverage_glyphs(data, at + coverage)
        if not format1 & 0x4:  # no advance to adjust (a subtable that still covers its glyphs, with nothing)
            self.kerns.append((set(firsts), {}))
            return
        if fmt == 1:
            count, pairs_of = struct.unpack_from(">H", data, at + 8)[0], {}
            for first, set_offset in zip(firsts, struct.unpack_from(f">{count}H", data, at + 10)):
                pairs = at + set_offset
                record = 2 + size1 + size2
                for n in range(struct.unpack_from(">H", data, pairs)[0]):
                    second = struct.unpack_from(">H", data, pairs + 2 + n * record)[0]
                    value = struct.unpack_from(">h", data, pairs + 4 + n * record + offset)[0]
                    pairs_of.setdefault((first, second), value)
            self.kerns.append((set(firsts), pairs_of))
        elif fmt == 2:
            class1, class2, _, count2 = struct.unpack_from(">HHHH", data, at + 8)
            self.kerns.append((set(firsts), class_def(data, at + class1), class_def(data, at + class2), count2,
                                 at + 16, size1 + size2, offset))


def coverage_glyphs(data: bytes, at: int) -> list[int]:
    """The glyphs of a coverage table, in coverage index order."""
    fmt, count = struct.unpack_from(">HH", data, at)
    if fmt == 1:
        return list(struct.unpack_from(f">{count}H", data, at + 4))
    out: list[int] = []
    for i in range(count):
        start, end, _ = struct.unpack_from(">HHH", data, at + 4 + 6 * i)
        out.extend(range(start, end + 1))
    return out


def class_def(data: bytes, at: int) -> dict[int, int]:
    """A class definition table: glyph -> class (glyphs left out are class 0)."""
    fmt = struct.unpack_from(">H", data, at)[0]
    if fmt == 1:
        start, count = struct.unpack_from(">HH", data, at + 2)
        return dict(zip(range(start, start + count), struct.unpack_from(f">{count}H", data, at + 6)))
    out = {}
    for i in range(struct.unpack_from(">H", data, at + 2)[0]):
        start, end, klass = struct.unpack_from(">HHH", data, at + 4 + 6 * i)
        out.update(dict.fromkeys(range(start, end + 1), klass))
    return out


def table_offsets(data: bytes) -> dict[bytes, int]:
    """Where each table of a TrueType face starts, by tag."""
    return {data[12 + 16 * i:16 + 16 * i]: struct.unpack_from(">I", data, 20 + 16 * i)[0]
            for i in range(struct.unpack_from(">H", data, 4)[0])}


def character_glyphs(data: bytes, cmap: int) -> dict[int, int]:
    """Character -> glyph of a face's Unicode cmap subtables (formats 4 and 12; a later subtable wins a tie)."""
    out: dict[int, int] = {}
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        if (platform, encoding) in ((3, 1), (3, 10), (0, 3), (0, 4)):
            out.update(_subtable(data, cmap + offset))
    return out


def _subtable(data: bytes, at: int) -> dict[int, int]:
    """Character -> glyph of one cmap subtable (formats 4 and 12; other formats give nothing)."""
    fmt = struct.unpack_from(">H", data, at)[0]
    out: dict[int, int] = {}
    if fmt == 12:
        for g in range(struct.unpack_from(">I", data, at + 12)[0]):
            first, last, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
            out.update((c, glyph + c - first) for c in range(first, last + 1))
    elif fmt == 4:
        segments = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segments}H", data, at + 14)
        starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
        deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
        ranges_at = at + 16 + 6 * segments
        ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
        for s, (start, end, delta, rng) in enumerate(zip(starts, ends, deltas, ranges)):
            for c in range(start, min(end, 0xFFFE) + 1):
                if rng == 0:
                    glyph = (c + delta) & 0xFFFF
                else:
                    glyph = struct.unpack_from(">H", data, ranges_at + 2 * s + rng + 2 * (c - start))[0]
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                out[c] = glyph
    return {c: g for c, g in out.items() if g}
