"""The site's search index: Pagefind (its `pagefind[extended]` Python package, run offline) over the pages marked
`data-pagefind-body` (profiles, indicators, data sets, content pages; not embeds, releases or the search page).

The index depends only on those pages' HTML, so it is cached by a hash of it (`<cache>/search/<key>/`): a rebuild
that changes no indexed page runs nothing, and the files are hard-linked into the site.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from icsite.core import cache

INDEX_FOLDER = "pagefind/"
FORMAT = "2"
#: the end of an element whose text is a word of its own ("<dt>Population</dt><dd>1,096,733</dd>"): Pagefind joins
#: adjacent elements' text, so the copy it indexes gets a space after each (the published page is unchanged)
BLOCK_END = re.compile(rb"(</(?:dt|dd|th|td|li|p|h[1-6]|div|caption|figcaption|summary|label|button|section)>)")


def search_index(pages: dict[str, bytes | Path], cache_dir: Path) -> dict[str, Path]:
    """The Pagefind files for `pages` ({site path of an HTML file: its bytes, or the file that holds them}), by site
    path under pagefind/. Pages on disk are read one at a time."""

    def content(path: str) -> bytes:
        return pages[path].read_bytes() if isinstance(pages[path], Path) else pages[path]

    def indexed(path: str) -> bytes:
        return BLOCK_END.sub(rb"\1 ", content(path))

    h = hashlib.sha256(FORMAT.encode())
    for path in sorted(pages):
        h.update(path.encode() + b"\0" + hashlib.sha256(content(path)).digest())
    root = cache_dir / "search"
    folder = root / h.hexdigest()[:40]
    if not folder.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root, prefix=".") as tmp:
            site, out = Path(tmp) / "site", Path(tmp) / "out"
            for path in pages:
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_bytes(indexed(path))
            run = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(out),
                                  "--force-language", "en", "--quiet"], capture_output=True, text=True)
            if run.returncode != 0:
                raise RuntimeError(f"pagefind failed: {run.stderr.strip() or run.stdout.strip()}")
            try:
                out.rename(folder)
            except OSError:  # another build made the same index meanwhile: use theirs
                pass
    cache.use(folder)
    cache.prune(root, folder)
    return {INDEX_FOLDER + p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
