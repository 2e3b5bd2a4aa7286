"""Opening input files safely: the one guarded way every file the build reads is opened, and its limits.

A file's path, with every link followed, must lie inside its root (a package's files inside the package folder, a
page inside the content folder), it must be a regular file (never a FIFO, a device or a socket, which could block or
never end) and it must be within its size limit (`checked_file`, `open_checked`, `read_checked`). A CSV file is then
streamed once, in chunks, for its header width, line lengths, encoding and control characters (`scan`) before pandas
or Frictionless parse it. A file refused is never opened again, nor quoted.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import stat
from pathlib import Path

#: Limits on what the build reads. A file beyond one is a located problem (documented on the data standard page),
#: found before anything parses the file, so no input can make the build use unbounded time or memory.
MAX_RESOURCE_BYTES = 2 * 1024**3  # a CSV resource: 2 GiB, a thousand times the largest shipped file
MAX_LINE_BYTES = 1024**2  # one line of a CSV file: 1 MiB (the shipped files' longest is under 1 KiB)
MAX_COLUMNS = 1000  # cells in a line of a CSV file, the header's included (the standard's widest table has 17)
MAX_DESCRIPTOR_BYTES = 16 * 1024**2  # a datapackage.json: 16 MiB (the shipped ones are under 20 KiB)
MAX_PAGE_BYTES = 1024**2  # a markdown page with its front matter: 1 MiB (the longest shipped page is 16 KiB)
CHUNK_BYTES = 1024**2  # CSV files are scanned in pieces of this size


class Refused(Exception):
    """A file the build will not read: the problem code and message say why (line: where, when known; found: what
    the file is, in a few words, when that is the reason)."""

    def __init__(self, code: str, message: str, line: int | None = None, found: str | None = None):
        super().__init__(message)
        self.code, self.message, self.line, self.found = code, message, line, found

    def reason(self) -> tuple[str, str, int | None]:
        return self.code, self.message, self.line


def inside(root: Path, relative: str | Path) -> Path | None:
    """The real path of `root / relative` (every link followed) when it lies inside the real `root`, else None.

    The one rule for "this path stays in its folder": an absolute path, a `..` or a link that leads out fails it.
    """
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, relative))
    return Path(target) if target.startswith(base.rstrip(os.sep) + os.sep) else None


def checked_file(root: Path, relative: str | Path, outside: str, missing: str, max_bytes: int) -> Path:
    """The real path of the file `relative` in `root`, when it is inside `root`, a regular file and at most
    `max_bytes` long; else Refused, with the code `outside` or `missing`, or file-not-regular or file-too-large."""
    name = Path(relative).as_posix()
    path = inside(root, relative)
    if path is None:
        raise Refused(outside, f"'{name}' leads outside its folder (a link or a path to a file elsewhere); "
                               "only files inside the folder are read")
    try:
        info = os.stat(path)
    except OSError:
        raise Refused(missing, f"the file '{name}' does not exist in its folder") from None
    checked_info(name, info, max_bytes)
    return path


def file_kind(mode: int) -> str:
    """What a file of this mode is, in words: "a FIFO (named pipe)", "a character device", "a regular file"..."""
    kinds = [(stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISREG, "a regular file")]
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def checked_info(name: str, info: os.stat_result, max_bytes: int) -> None:
    """Refused (file-not-regular, file-too-large) unless the file is a regular file of at most `max_bytes`."""
    if not stat.S_ISREG(info.st_mode):
        kind = file_kind(info.st_mode)
        raise Refused("file-not-regular", f"'{name}' is {kind}, not a regular file", found=kind)
    if info.st_size > max_bytes:
        raise Refused("file-too-large", f"'{name}' is {info.st_size:,} bytes, more than the limit of {max_bytes:,}",
                      found=f"{info.st_size:,} bytes")


def open_checked(path: Path, max_bytes: int):
    """A binary file object for a path `checked_file` returned, re-checked on the open file itself (so a file
    swapped for a pipe or a link since cannot block the build or lead it elsewhere)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise Refused("file-unreadable", f"'{path.name}' cannot be opened: {exc.strerror}") from None
    try:
        checked_info(path.name, os.fstat(fd), max_bytes)
    except Refused:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_checked(path: Path, max_bytes: int) -> bytes:
    """The bytes of a path `checked_file` returned (never more than `max_bytes`)."""
    with open_checked(path, max_bytes) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since it was checked
        raise Refused("file-too-large", f"'{path.name}' is more than the limit of {max_bytes:,} bytes")
    return data


CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls and DEL, except tab, line feed and CR


class Scan:
    """The state of one streaming pass over a CSV file (see `scan`)."""

    def __init__(self):
        self.offset = 0  # bytes before the current chunk
        self.line = 1  # the line the current chunk starts on
        self.line_bytes = 0  # bytes of that line before the current chunk
        self.line_commas = 0  # commas of that line before the current chunk
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes) -> None:
        """Check one chunk (raises Refused), then move past it."""
        lines = chunk.split(b"\n")  # the first and the last may be parts of lines begun or ended in other chunks
        self.widths(lines)
        self.lengths(lines)
        self.utf8(chunk, final=False)
        self.control(chunk)
        self.offset += len(chunk)
        self.line += len(lines) - 1

    def widths(self, lines: list[bytes]) -> None:
        """header-too-wide, row-too-wide: a line of more than MAX_COLUMNS cells (commas + 1, a comma inside
        quotes counting too: no table has a thousand columns, nor any cell a thousand commas)."""
        commas = list(map(bytes.count, lines, itertools.repeat(b",")))
        commas[0] += self.line_commas
        if max(commas) >= MAX_COLUMNS:
            line = self.line + next(i for i, n in enumerate(commas) if n >= MAX_COLUMNS)
            if line == 1:
                raise Refused("header-too-wide", f"the header has more than {MAX_COLUMNS:,} columns", 1)
            raise Refused("row-too-wide", f"line {line} has more than {MAX_COLUMNS:,} cells", line)
        self.line_commas = commas[-1]

    def lengths(self, lines: list[bytes]) -> None:
        """line-too-long: a line of more than MAX_LINE_BYTES bytes."""
        lengths = list(map(len, lines))
        lengths[0] += self.line_bytes
        if max(lengths) > MAX_LINE_BYTES:
            line = self.line + next(i for i, n in enumerate(lengths) if n > MAX_LINE_BYTES)
            raise Refused("line-too-long", f"line {line} is longer than {MAX_LINE_BYTES:,} bytes", line)
        self.line_bytes = lengths[-1]

    def utf8(self, chunk: bytes, final: bool) -> None:
        """encoding-not-utf8: bytes that are not UTF-8 (a character cut by the chunk's end waits for the next)."""
        pending = len(self.decoder.getstate()[0])
        try:
            self.decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            at = exc.start - pending  # in this chunk (negative: in the bytes held over from the last one)
            line = self.line + chunk.count(b"\n", 0, max(at, 0))
            raise Refused("encoding-not-utf8", f"byte {self.offset + at} (0x{exc.object[exc.start]:02x}) on line "
                                               f"{line} is not UTF-8", line) from None

    def control(self, chunk: bytes) -> None:
        """control-character: a NUL or another control character, which breaks the tools the values go on to."""
        found = CONTROL.search(chunk)
        if found:
            line = self.line + chunk.count(b"\n", 0, found.start())
            raise Refused("control-character", f"byte {self.offset + found.start()} on line {line} is the control "
                          f"character 0x{chunk[found.start()]:02x}, which has no place in text", line)


def scan(path: Path) -> None:
    """Stream a checked CSV file once, in chunks (linear time, memory bounded by CHUNK_BYTES), and raise Refused
    at its first header-too-wide, row-too-wide, line-too-long, encoding-not-utf8 or control-character problem."""
    state = Scan()
    with open_checked(path, MAX_RESOURCE_BYTES) as f:
        while chunk := f.read(CHUNK_BYTES):
            state.feed(chunk)
            if state.offset > MAX_RESOURCE_BYTES:  # it grew since it was checked
                raise Refused("file-too-large", f"'{path.name}' is more than the limit of {MAX_RESOURCE_BYTES:,} bytes")
    state.utf8(b"", final=True)

