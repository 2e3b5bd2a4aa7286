"""The only writer. Output files are gathered in memory, written beside the old site, then swapped in.

A failed or interrupted build leaves the previous `site/` exactly as it was: the new tree is written to a
temporary sibling folder and swapped into place in one atomic step once it is complete (a build killed while
writing leaves only a staging folder, which the next build removes).
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
STORED = (".xlsx", ".zip", ".png")  # fixed, so zips are byte-identical from build to build


def publish(files: dict[str, bytes | Path], out_dir: Path) -> None:
    """Write `files` as the new `out_dir`, atomically replacing the old one.

    A value is the file's bytes, or the Path of a file to publish unchanged (a cached chart image): that file is
    hard-linked where the file system allows it, which costs nothing, and copied otherwise. A file whose bytes are
    those of the same file in the old site is hard-linked from it too, so a rebuild writes only what changed (the
    output is deterministic, so that is usually little: writing the whole site again can take seconds on a busy disk).
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out_dir)
    previous = out_dir if out_dir.is_dir() else None
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    made: set[Path] = set()
    try:
        for rel, content in sorted(files.items()):
            assert not rel.startswith("/") and ".." not in Path(rel).parts, rel
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(content, Path):
                place(content, target)
            elif previous is not None and unchanged(previous / rel, content):
                place(previous / rel, target)
            else:
                target.write_bytes(content)
        os.chmod(staging, 0o755)
        swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def place(source: Path, target: Path) -> None:
    """Publish an existing file unchanged: a hard link when possible, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def unchanged(old: Path, content: bytes) -> bool:
    """True if `old` is a regular file (not a link to elsewhere) holding exactly `content`."""
    try:
        info = old.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(content):
            return False
        return old.read_bytes() == content
    except OSError:
        return False


def remove_leftovers(out_dir: Path) -> None:
    """Remove staging folders that an earlier, killed build left beside `out_dir`."""
    for stale in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put `staging` in place of `out_dir`: one atomic exchange where the system has it, else two renames."""
    if out_dir.exists() and exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old site
        return
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.new-old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def make_zip(members: dict[str, bytes]) -> bytes:
    """A deterministic zip: sorted members, fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            # already-compressed members (workbooks, zips, images) are stored: deflating them again costs time for nothing
            info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED) else zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    return buffer.getvalue()
