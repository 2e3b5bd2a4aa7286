"""Layer 1 for the markdown pages of content/: readable, front matter the build can use, markdown it can render in
bounded time, and an address of their own."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from icsite.core.markup import render_problems
from icsite.core.problems import Problem
from icsite.inputs.checking import problem, rel
from icsite.inputs.load import ContentPage


def page_problems(pages: list[ContentPage], root: Path) -> list[Problem]:
    """Pages that cannot be read, front matter the build cannot use, markdown it cannot render in bounded time, and
    pages at addresses already taken."""
    out = []
    for page in pages:
        file = rel(page.source, root)
        if page.error:
            out.append(problem(page.error_code, file, message=page.error if page.error_code != "page-unreadable"
                               else f"the page cannot be read: {page.error}"))
        else:
            out += page_field_problems(page, file) + term_problems(page, file)
    readable = [p for p in pages if not p.error]
    out += [problem("page-too-complex", rel(page.source, root), message=why)
            for page, why in zip(readable, render_problems([p.body for p in readable])) if why]
    return out + address_problems(readable, root)


GLOSSARY = "glossary"  # the page whose front matter `terms` profiles link indicator names to (pages.glossary)
HEADING_ID = re.compile(r"\{#([A-Za-z0-9_-]+)\}")  # a heading's id in the markdown: ### RTT {#rtt}
TERMS = "a mapping of the page's heading ids to the phrases each explains (a phrase or a list of them)"


def phrases(value) -> list[str]:
    """A glossary term's phrases as the front matter gives them: one phrase or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [str(p).strip() for p in items if p is not None and str(p).strip()]


def term_problems(page: ContentPage, file: str) -> list[Problem]:
    """page-field-invalid: the glossary's `terms` name headings of the page, each with a phrase (so no profile
    links to an entry that is not there)."""
    terms = page.meta.get("terms") if page.slug == GLOSSARY else None
    if terms is None:
        return []
    if not isinstance(terms, dict):
        return [problem("page-field-invalid", file, field="terms", expected=TERMS, found=repr(terms)[:80],
                        message="the front matter's 'terms' must be a mapping")]
    ids = set(HEADING_ID.findall(page.body))
    return [problem("page-field-invalid", file, field="terms", expected=TERMS, found=str(key)[:80],
                    message=f"the term '{str(key)[:80]}' " + ("has no phrase" if str(key) in ids else
                                                              "is not the id of a heading of the page"))
            for key, given in terms.items() if str(key) not in ids or not phrases(given)]


TEXT, FLAG, NUMBER = "text", "true or false", "a number"
#: The front matter keys the build reads and what each must be (other keys are ignored). `template` names the
#: theme template of the page; only content.html renders a markdown page.
PAGE_FIELDS = {"title": TEXT, "description": TEXT, "nav_title": TEXT, "footer_title": TEXT, "nav": FLAG,
               "footer": FLAG, "nav_order": NUMBER, "footer_order": NUMBER, "template": "content.html"}


def fits(value, kind: str) -> bool:
    """Whether a front matter value is of the kind PAGE_FIELDS gives (an empty value is no value, but for a number,
    which the navigation sorts by)."""
    if kind == TEXT:
        return value is None or isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool)
    if kind == FLAG:
        return value is None or isinstance(value, bool)
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return value == kind


def page_field_problems(page: ContentPage, file: str) -> list[Problem]:
    """page-field-invalid: each front matter key the build reads holds the kind of value it can use."""
    return [problem("page-field-invalid", file, field=key, expected=kind, found=repr(page.meta[key]),
                    message=f"the front matter's '{key}' must be {kind}")
            for key, kind in PAGE_FIELDS.items() if key in page.meta and not fits(page.meta[key], kind)]


#: Where the build writes its own pages and files (pages.py, comparepages.py, datapages.py, datafiles.py,
#: pipeline.py, search.py): a markdown page may be published at none of these folders, nor inside one, nor at a file's
#: name. (api/ itself is the API's documentation page, content/api.md; api/v1/ holds the generated files.)
GENERATED_FOLDERS = ("ics", "indicators", "compare", "regions", "data", "search", "assets", "pagefind", "api/v1",
                     "places", "postcodes", "stories")
GENERATED_FILES = ("index.html", "404.html", "feed.xml", "robots.txt", "sitemap.xml", ".nojekyll")


def address_taken(slug: str) -> str | None:
    """Why a page published at `slug`/ would replace or fall inside an address of the build's own, or None
    (compared without case, as some file systems do)."""
    low = slug.lower()
    if low == "":
        return "that is the home page's address"
    if low.startswith("stories/") and "/" not in low[len("stories/"):]:
        return None  # an improvement story's own address (inputs.stories checks its name)
    for folder in GENERATED_FOLDERS:
        if low == folder or low.startswith(folder + "/"):
            return f"the build writes its own pages at {folder}/ and below it"
    first = low.split("/")[0]
    return f"the build writes the file {first} there" if first in GENERATED_FILES else None


def address_problems(pages: list[ContentPage], root: Path) -> list[Problem]:
    """page-address-taken: a page at an address of the build's own, or at another page's (each of those pages)."""
    files = {page.source: rel(page.source, root) for page in pages}
    by_address: dict[str, list[str]] = {}
    for page in pages:
        by_address.setdefault(page.slug.lower(), []).append(files[page.source])
    out = []
    for page in pages:
        others = [f for f in by_address[page.slug.lower()] if f != files[page.source]]
        taken = address_taken(page.slug) or (f"so would {', '.join(others)}" if others else None)
        address = f"{page.slug}/" if page.slug else "the site's root"
        if taken:
            out.append(problem("page-address-taken", files[page.source], found=address,
                               expected="an address of its own",
                               message=f"the page would be published at {address}: {taken}"))
    return out
