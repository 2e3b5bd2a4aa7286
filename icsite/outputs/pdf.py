"""Each peer-challenge pack as a PDF beside its page (`--pdf`): the page's own HTML and print stylesheet, laid out
on A4 by WeasyPrint (the optional `pdf` extra; imported only when PDFs are asked for).

Nothing is fetched from the network or read from outside the site: the page is laid out as if it were published at
a made-up address (SITE), and every file it asks for there is served from the site being built (its spool folder,
or the cache file a chart image is copied from); anything else is refused, and named in a warning. The PDF's links
point to the published pages: absolute when the site's address is known (`--base-url https://...`), else relative
to the PDF, which sits beside its page. Its text is set in the charts' pinned font (Source Sans Pro, renamed; see
`charts.images`), put before every family the theme names, so that the machine's fonts give only the glyphs our
font lacks. A PDF carries no date and no random identifier: the same site makes the same bytes.

Laying out a page takes seconds, so the packs are laid out in one process per processor, and each PDF is cached
(`<cache>/pdfs/`, one entry per pack) with the digests of its page and of every file the page read: a rebuild lays
out only the packs whose page or files changed, and starts no process when none did.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from icsite.charts.images import FONT_FAMILY, font_digest, font_folder
from icsite.core import parallel
from icsite.core.problems import Problem

#: change when how a PDF is made changes (the options below, the font set-up), so cached PDFs are made again
RULES = "1"
#: the made-up address pages are laid out at: files below it are the site's own, and nothing else is read
SITE = "https://site.invalid/"
#: a pack page's address within the site (see `pages.pack`)
PACK_PAGE = re.compile(r"ics/(?P<slug>[^/]+)/pack/")
HINT = ("Install the PDF extra: .venv/bin/pip install -e '.[pdf]' (make deps installs it), with Pango on the "
        "system (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0); or build without --pdf.")


def unavailable() -> Problem | None:
    """Why no PDF can be made here (WeasyPrint or the system's Pango missing), as a problem; None if one can."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return Problem("pdf-unavailable", "--pdf", message=f"the PDF packs need WeasyPrint, which cannot be loaded "
                       f"here ({reason})", hint=HINT)
    return None


def pack_jobs(page_paths, pdf_path) -> list[tuple[str, str]]:
    """(the page's HTML file, its PDF) for every pack page among `page_paths` (site paths of pages: "ics/x/pack/"),
    the PDF's path given by `pdf_path(slug)`."""
    return [(f"{path}index.html", pdf_path(match["slug"])) for path in page_paths
            if (match := PACK_PAGE.fullmatch(path))]


def pack_pdfs(jobs: list[tuple[str, str]], files: dict, spool: Path | None, root: str,
              cache_dir: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """The PDF of each (page, PDF path) of `jobs`, by PDF path, and a warning for each file a page asked for that
    the site does not have. `files` are the site's files (bytes, or the Path of a file that holds them: written
    into `spool`, or cached), `root` the site's absolute address ("" when unknown)."""
    elsewhere = {path: bytes(content) if isinstance(content, (bytes, bytearray)) else str(content)
                 for path, content in files.items()
                 if isinstance(content, (bytes, bytearray))
                 or (isinstance(content, Path) and (spool is None or content != spool / path))}
    site = Site(str(spool) if spool is not None else "", elsewhere, root, str(cache_dir / "pdfs"), renderer())
    found = {page: site.cached(page) for page, _ in jobs}
    todo = [page for page, held in found.items() if held is None]
    if todo:
        with parallel.pool(min(parallel.processors(), len(todo)), start_worker, (site,)) as pool:
            found.update(zip(todo, pool.map(make_pdf, todo)))
    made: dict[str, bytes] = {}
    problems: list[Problem] = []
    for page, pdf in jobs:
        made[pdf], unread = found[page]
        problems += [Problem("pdf-file-missing", pdf, message=f"{page} asks for {url}, which is not a file of the "
                             "site: the PDF was made without it", severity="warning") for url in unread]
    return made, problems


def renderer() -> str:
    """WeasyPrint's version, and that of the system's Pango, which lays the text out: a PDF is made by both."""
    import weasyprint

    try:
        from weasyprint.text.ffi import pango

        return f"WeasyPrint {weasyprint.__version__}, Pango {pango.pango_version()}"
    except (ImportError, AttributeError):  # (not WeasyPrint's public interface)
        return f"WeasyPrint {weasyprint.__version__}"


@dataclass(frozen=True)
class Site:
    """The site being built, as the PDFs read it: its spool folder, the files held elsewhere (site path: bytes, or
    the file that holds them), its absolute address ("" if unknown), the PDF cache and the `renderer`."""

    spool: str
    elsewhere: dict
    root: str
    cache: str
    renderer: str

    def file(self, path: str) -> bytes | None:
        """The bytes of the site's file at `path`, or None if the site has no such file."""
        held = self.elsewhere.get(path)
        if isinstance(held, bytes):
            return held
        target = Path(held) if held is not None else (Path(self.spool) / path if self.spool else None)
        try:
            return target.read_bytes() if target is not None and target.is_file() else None
        except OSError:
            return None

    def entry(self, page: str) -> Path:
        """The cache file of the page's PDF (a line of facts, then the PDF): one per page, address, renderer, font
        and RULES."""
        key = json.dumps([RULES, self.renderer, font_digest(), self.root, page])
        return Path(self.cache) / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.entry"

    def cached(self, page: str) -> tuple[bytes, list[str]] | None:
        """The PDF of `page` kept in the cache, if it was made from this page and every file it read is unchanged
        (with the URLs it asked for that the site lacks); else None."""
        try:
            head, _, data = self.entry(page).read_bytes().partition(b"\n")
            facts = json.loads(head)
        except (OSError, ValueError):
            return None
        if facts.get("page") != digest(self.file(page)) or not data.startswith(b"%PDF"):
            return None
        for url, was in facts["read"].items():
            path = site_path(url)
            if digest(self.file(path) if path is not None else None) != was:  # (a URL outside stays "missing")
                return None
        return data, unread(facts["read"])


def site_path(url: str) -> str | None:
    """The site path of a URL below SITE ("ics/x/spine.svg"; a folder's index.html), or None for any other URL."""
    if not url.startswith(SITE):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    if path.endswith("/") or not path:
        path += "index.html"
    path = posixpath.normpath(path)
    return None if path.startswith(("../", "/")) or path in ("..", ".") else path


def digest(data: bytes | None) -> str:
    return hashlib.sha256(data).hexdigest() if data is not None else "missing"


def unread(read: dict[str, str]) -> list[str]:
    """The URLs a page asked for that the site does not have, in order."""
    return sorted(url for url, was in read.items() if was == "missing")


# --- In each worker process ---------------------------------------------------------------------------------------

_site: list[Site] = []  # this process's site (`start_worker`)


def start_worker(site: Site) -> None:
    """Set up a process that lays out PDFs: its fonts first (fontconfig reads them once, when WeasyPrint is
    imported), then WeasyPrint."""
    cache = Path(site.cache)
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["FONTCONFIG_FILE"] = str(font_config(cache, font_folder(cache.parent)))
    import weasyprint  # noqa: F401

    _site[:] = [site]


def font_config(cache: Path, fonts: Path) -> Path:
    """A fontconfig file: the system's fonts, ours (the folder `fonts`), and ours first for every text."""
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    text = (f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            f'  <include ignore_missing="yes">{xml_text(system)}</include>\n'
            f"  <dir>{xml_text(str(fonts.resolve()))}</dir>\n"
            f"  <cachedir>{xml_text(str((cache / 'fontconfig').resolve()))}</cachedir>\n"
            '  <match target="pattern"><edit name="family" mode="prepend" binding="strong">'
            f"<string>{FONT_FAMILY}</string></edit></match>\n</fontconfig>\n")
    path = cache / f"fonts-{hashlib.sha256(text.encode()).hexdigest()[:16]}.conf"
    if not path.is_file():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_pdf(page: str) -> tuple[bytes, list[str]]:
    """Lay out the site's `page` as a PDF and keep it in the cache with the digests of what it read; the PDF, and
    the URLs the page asked for that are not files of the site."""
    site = _site[0]
    html = site.file(page)
    assert html is not None, f"the pack page {page} was not written"
    read: dict[str, str] = {}
    data = render(site, html.decode("utf-8"), page, read)
    entry = site.entry(page)
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
    tmp.write_bytes(json.dumps({"page": digest(html), "read": read}, sort_keys=True).encode() + b"\n" + data)
    tmp.replace(entry)
    return data, unread(read)


def render(site: Site, html: str, page: str, read: dict[str, str]) -> bytes:
    """`html` (the site's page at `page`) as a PDF, noting in `read` the digest of every file it read by URL."""
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFiles(URLFetcher):
        """Serves the site's own files; refuses everything else (never the network, never another file)."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = site_path(url)
            data = site.file(path) if path is not None else None
            read[url] = digest(data)
            if data is None:
                raise FileNotFoundError(f"not a file of the site: {url}")
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": kind})

    document = weasyprint.HTML(string=html, base_url=SITE + page, url_fetcher=SiteFiles()).render()
    for one in document.pages:
        one.links = [(kind, published(target, page, site.root) if kind == "external" else target, box, element)
                     for kind, target, box, element in one.links]
    return document.write_pdf(pdf_tags=True)  # tagged: its headings, lists and tables reach a screen reader


def published(url: str, page: str, root: str) -> str:
    """A link of the page laid out at SITE, as the PDF beside the published page gives it: at the site's address
    `root` when it is known, else relative to the PDF's folder (the page's)."""
    if not url.startswith(SITE):
        return url
    rest = url[len(SITE):]
    if root:
        return root + rest
    cut = min((at for at in (rest.find("?"), rest.find("#")) if at >= 0), default=len(rest))
    path, tail = rest[:cut], rest[cut:]
    relative = posixpath.relpath(path or ".", posixpath.dirname(page) or ".")
    return relative + ("/" if not path or path.endswith("/") else "") + tail
