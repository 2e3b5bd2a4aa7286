"""The only writer. Output files are written beside the old site as the build makes them, then swapped in.

A failed or interrupted build leaves the previous `site/` exactly as it was: the new tree is written to a
temporary sibling folder (a build's spool: see `SiteFiles`) and swapped into place in one atomic step once it is
complete (a build killed while writing leaves only that folder, which the next build removes). Builds publishing to one folder at once take
turns (a lock on the folder that holds it), and a folder that is not a site this tool wrote is never replaced.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from icsite.core.display import size_text

#: written into every site, so that a later build knows the folder is one it may replace
SITE_MARKER = ".ics-outcomes-site"
MARKER_TEXT = b"This folder is a site built by ICS Outcomes (build.py). The next build replaces it whole.\n"


class PathWrittenTwice(Exception):
    """Two parts of the build wrote one path of the site: one would silently replace the other (a bug, or an input
    that validation should have refused)."""


class Spooled(type(Path())):
    """A file of the site already written into the build's spool folder, which becomes the published site."""


class SiteFiles(dict):
    """The files of a site, by path: bytes, or the Path of a cached file. Each path may be written once; a second
    write raises PathWrittenTwice, so no page, download or asset can silently replace another. (`replace` is for
    the one legitimate case: `serve` rendering a page again.)

    With a `spool` folder (see `spool_folder`), bytes go straight to disk there and the entry is their `Spooled`
    path: the memory a build takes does not grow with the size of its site. `publish` then swaps that folder in.
    """

    def __init__(self, spool: Path | None = None):
        super().__init__()
        self.spool = spool
        self._folders: set[Path] = set()

    def __setitem__(self, path: str, content) -> None:
        if path in self:
            raise PathWrittenTwice(f"the build wrote {path} twice")
        super().__setitem__(path, self._spooled(path, content))

    def _spooled(self, path: str, content):
        """`content`, written to the spool if there is one and it is bytes."""
        if self.spool is None or not isinstance(content, (bytes, bytearray)):
            return content
        assert not path.startswith("/") and ".." not in Path(path).parts, path
        target = Spooled(self.spool / path)
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        target.write_bytes(content)
        return target

    def update(self, other=(), **more) -> None:
        for path, content in dict(other, **more).items():
            self[path] = content

    def replace(self, path: str, content) -> None:
        super().__setitem__(path, self._spooled(path, content))


SPOOL = ".{name}.spool-{pid}-"  # a build's spool folder beside the site it will replace: its name holds its process


def spool_folder(out_dir: Path) -> Path:
    """A new, empty folder beside `out_dir` (so that it can be swapped in) to spool a build's files in."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=SPOOL.format(name=out_dir.name, pid=os.getpid()), dir=out_dir.parent))


class NotASite(Exception):
    """The output folder holds files that are not a site this tool built: it is never replaced."""


def is_site(folder: Path) -> bool:
    """True if `folder` is empty or a site an earlier build wrote (sites from before the marker: by their files)."""
    if (folder / SITE_MARKER).is_file() or not any(folder.iterdir()):
        return True
    return (folder / ".nojekyll").is_file() and (folder / "assets" / "vendor" / "vega-bundle.js").is_file()


def publish(files: dict[str, bytes | Path], out_dir: Path, record: tuple[Path, dict] | None = None) -> dict:
    """Write `files` as the new `out_dir`, atomically replacing the old one.

    A value is the file's bytes, or the Path of a file to publish unchanged (a cached chart image or data file):
    that file is copied, never linked, so that editing the published site can never change the cache. A file whose
    bytes are those of the same file in the old site is hard-linked from it, so a rebuild writes only what changed
    (the output is deterministic, so that is usually little: writing the whole site again can take seconds on a
    busy disk). Raises NotASite, touching nothing, when `out_dir` holds files that are not a site. With `record`
    (a file and facts to keep in it), the facts are kept there with a listing of the published folder (see
    `last_build`). Returns that listing ({path: [size, modification time, file type]}).
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with publishing_lock(out_dir):
        if out_dir.exists() and not (out_dir.is_dir() and is_site(out_dir)):
            raise NotASite(f"{out_dir} is not a site this tool built; it was left as it is")
        remove_leftovers(out_dir)
        if record is not None:
            record[0].unlink(missing_ok=True)  # it described the site being replaced
        write_and_swap({**files, SITE_MARKER: MARKER_TEXT}, out_dir, getattr(files, "spool", None))
        listing = site_listing(out_dir)
        if record is not None:
            keep_record(record[0], out_dir, record[1], listing)
    return listing


# --- The record of the last build: what a build that would publish the same site again may skip -------------------

def record_file(cache_dir: Path, out_dir: Path) -> Path:
    """Where the record of the last build published to `out_dir` is kept: in the cache, not in the site (whose bytes
    must not depend on the code's hash or on when files were written)."""
    return cache_dir / "builds" / f"{hashlib.sha256(os.fsencode(out_dir.resolve())).hexdigest()[:32]}.json"


def site_listing(out_dir: Path) -> dict[str, list[int]]:
    """[size, modification time (ns), file type] of everything below `out_dir`, by relative path. A file edited in
    place gets a new modification time; one added, removed or replaced changes the listing too."""
    out: dict[str, list[int]] = {}

    def walk(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    walk(folder / entry.name, f"{prefix}{entry.name}/")
                else:
                    out[prefix + entry.name] = [info.st_size, info.st_mtime_ns, stat.S_IFMT(info.st_mode)]

    walk(out_dir, "")
    return out


#: the largest site GitHub Pages publishes (docs.github.com: "GitHub Pages limits")
PAGES_LIMIT = 1_000_000_000


def site_bytes(listing: dict) -> int:
    """The bytes of a site's files, from its listing (see `site_listing`)."""
    return sum(size for size, _, _ in listing.values())


def size_warning(listing: dict) -> str:
    """A warning for a site larger than GitHub Pages publishes, naming its largest folders; "" for one that fits."""
    total = site_bytes(listing)
    if total <= PAGES_LIMIT:
        return ""
    parts: dict[str, int] = {}
    for path, (size, _, _) in listing.items():
        top = path.split("/", 1)[0] + ("/" if "/" in path else "")
        parts[top] = parts.get(top, 0) + size
    largest = sorted(parts.items(), key=lambda part: (-part[1], part[0]))[:4]
    return (f"The site is {size_text(total)}: GitHub Pages publishes sites of up to {size_text(PAGES_LIMIT)}. "
            f"Largest parts: {', '.join(f'{name} {size_text(size)}' for name, size in largest)}. "
            "--images none leaves out the chart images; README (Builds that grow with the data) says where the rest "
            "goes.")


def keep_record(path: Path, out_dir: Path, facts: dict, listing: dict) -> None:
    """Write the record of a build just published to `out_dir` (the caller holds the lock), with the `listing` of
    what it published; forget the records of sites that no longer exist. A record that cannot be written is no
    error: the next build builds."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for other in path.parent.glob("*.json"):  # the first line of a record names its site
            with contextlib.suppress(OSError, ValueError), open(other, "rb") as f:
                if other != path and not Path(json.loads(f.readline())).is_dir():
                    other.unlink()
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(str(out_dir)) + "\n" + json.dumps({**facts, "files": listing})
                       + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def last_build(record: Path, out_dir: Path, fingerprint: str) -> dict | None:
    """The facts the last build published to `out_dir` kept, if it was made from inputs of this `fingerprint` and the
    folder still holds exactly the files it published, unedited; else None (the site must be built)."""
    out_dir = out_dir.resolve()
    if not out_dir.is_dir():
        return None
    with publishing_lock(out_dir):  # not while another build is swapping its site in
        try:
            site, facts = record.read_text(encoding="utf-8").splitlines()
            if json.loads(site) != str(out_dir):
                return None
            facts = json.loads(facts)
            if facts.get("fingerprint") != fingerprint:
                return None
            return facts if facts.get("files") == site_listing(out_dir) else None
        except (OSError, ValueError):
            return None


@contextlib.contextmanager
def publishing_lock(out_dir: Path):
    """Hold the lock of the folder that holds `out_dir`: builds publishing there take turns, and none removes
    another's staging folder. (A lock on the folder itself leaves no lock file behind.)"""
    fd = os.open(out_dir.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_and_swap(files: dict[str, bytes | Path], out_dir: Path, spool: Path | None = None) -> None:
    """Write `files` into a staging folder beside `out_dir`, then swap it in (the caller holds the lock). With the
    `spool` the files were written to as they were made (see `SiteFiles`), that is the staging folder."""
    previous = out_dir if out_dir.is_dir() else None
    staging = spool or Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    made: set[Path] = set()
    try:
        for rel, content in sorted(files.items()):
            assert not rel.startswith("/") and ".." not in Path(rel).parts, rel
            if isinstance(content, Spooled) and content == staging / rel:
                continue  # written there already
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if isinstance(content, Path):
                content = content.read_bytes()
            if not (previous is not None and unchanged(previous / rel, content) and linked(previous / rel, target)):
                target.write_bytes(content)
        os.chmod(staging, 0o755)
        swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def linked(source: Path, target: Path) -> bool:
    """Hard-link `source` as `target`; False where the file system cannot."""
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def unchanged(old: Path, content: bytes) -> bool:
    """True if `old` is a regular file of the old site alone (not a symbolic link, and no other name shares it: a
    site from before this version may share files with the cache) holding exactly `content`."""
    try:
        info = old.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_size != len(content):
            return False
        return old.read_bytes() == content
    except OSError:
        return False


def remove_leftovers(out_dir: Path) -> None:
    """Remove staging and spool folders that an earlier, killed build left beside `out_dir` (never the spool of a
    build still running)."""
    for stale in out_dir.parent.glob(f".{out_dir.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for spool in out_dir.parent.glob(SPOOL.format(name=out_dir.name, pid="*")):
        pid = spool.name[len(SPOOL.format(name=out_dir.name, pid="")):].split("-", 1)[0]
        if pid.isdigit() and not running(int(pid)):
            shutil.rmtree(spool, ignore_errors=True)


def running(pid: int) -> bool:
    """True if a process `pid` exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def out_dir_problem(config) -> str | None:
    """Why the site may not be written to `config.out_dir` (a usage error: exit 2, nothing touched), or None.

    A build replaces its output folder whole, so the folder must not be (or hold, or lie inside) anything the
    project reads or keeps: the project itself, the data, content, themes or cache folders. An existing folder must
    be empty or a site an earlier build wrote; a file is never replaced.
    """
    out = config.out_dir.resolve()
    kept = {"the project folder": config.project_dir, "the data folder": config.data_dir,
            "the content folder": config.content_dir, "the themes folder": config.themes_dir,
            "the cache folder": config.cache_dir}
    for what, folder in kept.items():
        folder = folder.resolve()
        if folder == out or folder.is_relative_to(out):
            return (f"--out {out} is {what} or holds it ({folder}): a build replaces its output folder whole, so it "
                    "would be deleted. Choose a folder of its own, such as site/ (nothing was touched).")
        if what != "the project folder" and out.is_relative_to(folder):
            return (f"--out {out} is inside {what} ({folder}), which the build reads. Choose a folder outside it, "
                    "such as site/ (nothing was touched).")
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file, not a folder. Choose a folder for the site (nothing was touched)."
    if out.is_dir() and not is_site(out):
        return (f"--out {out} holds files that are not a site this tool built, and a build replaces the folder "
                "whole. Choose a new or empty folder, or the folder of an earlier build (nothing was touched).")
    return None
