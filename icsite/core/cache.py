"""Folders of cached build outputs (data files, search index), one per hash of their inputs.

Several builds may share a cache at once (a test suite, `serve` beside a build), so an entry is never removed while
another build could be using it: each use marks the entry, and only entries unused for STALE_SECONDS are pruned.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
import time
from pathlib import Path

STALE_SECONDS = 600  # longer than any build takes


def use(folder: Path) -> None:
    """Mark a cache entry as in use now."""
    os.utime(folder)


def prune(root: Path, keep: Path) -> None:
    """Remove the entries of `root` other than `keep` that no build has used for STALE_SECONDS."""
    now = time.time()
    for entry in root.iterdir():
        if entry == keep or entry.name.startswith("."):
            continue
        try:
            if now - entry.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
        except FileNotFoundError:
            pass


# --- The inputs' fingerprint: a rebuild with none of them changed publishes nothing new ----------------------------

#: the settings that do not shape a byte of the site (where it goes, where the cache is, what is printed)
NOT_INPUTS = {"out_dir", "cache_dir", "debug", "quiet"}
FINGERPRINT_FORMAT = "1"


def fingerprint(config, code: Path | None = None) -> str:
    """A hash of everything a build's output is made from: the data packages (archived releases too), the content,
    the theme chain's files, the settings, the code (`code`: the project folder, default this checkout), Python's
    version and every installed distribution's name and version. Imports nothing heavy (no pandas)."""
    code = code or Path(__file__).resolve().parents[2]
    h = hashlib.sha256(FINGERPRINT_FORMAT.encode())
    settings = {name: value for name, value in vars(config).items() if name not in NOT_INPUTS}
    h.update(repr(sorted((name, repr(value)) for name, value in settings.items())).encode())
    themes = [config.themes_dir / "default"] + ([config.themes_dir / config.theme] if config.theme != "default" else [])
    folders = [("data", config.data_dir), ("content", config.content_dir)] + [("theme", t) for t in themes]
    for tag, folder in folders + [("code", code / "icsite"), ("code", code / "build.py")]:
        h.update(f"\0{tag}\0{folder}\0".encode())
        hash_tree(h, Path(folder))
    h.update(f"\0python\0{sys.version}\0".encode())
    for name in distributions():
        h.update(name.encode() + b"\0")
    return h.hexdigest()


def hash_tree(h, root: Path) -> None:
    """Feed `h` each file below `root` (or `root` itself): its relative path and a hash of its bytes, in order.

    Symbolic links are followed, each directory once (a loop ends); what is not a regular file (a FIFO, a device)
    is named but never opened, so no input can make this block or read forever.
    """
    seen: set[tuple[int, int]] = set()

    def walk(path: Path, rel: str) -> None:
        try:
            info = path.stat()
        except OSError:
            h.update(f"missing {rel}\0".encode())
            return
        if stat.S_ISDIR(info.st_mode):
            if (info.st_dev, info.st_ino) in seen or path.name == "__pycache__":
                return
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(path) as entries:
                names = sorted(entry.name for entry in entries)
            for name in names:
                walk(path / name, f"{rel}/{name}")
        elif stat.S_ISREG(info.st_mode):
            try:
                with open(path, "rb") as f:
                    digest = hashlib.file_digest(f, "sha256").hexdigest()
            except OSError as exc:
                digest = f"unreadable {exc.errno}"
            h.update(f"file {rel} {info.st_size} {digest}\0".encode())
        else:
            h.update(f"special {rel} {stat.S_IFMT(info.st_mode)}\0".encode())
        if path.is_symlink():
            h.update(f"link {rel} {os.readlink(path)}\0".encode())

    walk(root, ".")


def distributions() -> list[str]:
    """The name (with version) of every distribution installed where this Python imports from, sorted."""
    out = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                out.update(e.name for e in found if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(out)
