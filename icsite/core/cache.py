"""Folders of cached build outputs (data files, search index), one per hash of their inputs.

Several builds may share a cache at once (a test suite, `serve` beside a build), so an entry is never removed while
another build could be using it: each use marks the entry, and only entries unused for STALE_SECONDS are pruned.
"""

from __future__ import annotations

import os
import shutil
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
