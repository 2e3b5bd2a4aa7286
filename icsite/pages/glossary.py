"""The glossary behind indicator names: which entries of the site's glossary page explain the words of a title.

The glossary is a markdown page of `content/` published at `glossary/` (content/glossary.md). Its front matter
`terms` maps each entry (the id of one of its headings, `### RTT {#rtt}`) to the phrases that entry explains:

    terms:
      rtt: [RTT, referral to treatment]
      life-expectancy: [life expectancy]

A profile links each indicator's official name to the entries whose phrases it contains (`Glossary.links`). Phrases
match whole words, ignoring case; where two overlap, the longer one starting first wins ("healthy life
expectancy" is not also "life expectancy"). A site without the page, or a page without `terms`, has no glossary
links: nothing links to an entry that is not there (`icsite.inputs.page_checks` refuses a term whose id is not a
heading of the page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from icsite.core.display import Link
from icsite.inputs.page_checks import GLOSSARY as SLUG
from icsite.inputs.page_checks import HEADING_ID, phrases


@dataclass(frozen=True)
class Glossary:
    href: str  # the page, "glossary/"
    terms: tuple[tuple[str, re.Pattern], ...]  # (entry id, the pattern of one of its phrases), longest phrase first

    def links(self, title: str) -> list[Link]:
        """The entries the title's words are explained by, each once, in the order the title names them."""
        found = sorted((m.start(), -len(m.group()), anchor, m.group()) for anchor, pattern in self.terms
                       for m in pattern.finditer(title))
        links, seen, reached = [], set(), 0
        for start, length, anchor, text in found:
            if start < reached or anchor in seen:  # inside a longer phrase already linked, or the entry is
                continue
            reached, seen = start - length, seen | {anchor}
            links.append(Link(f"Glossary: {text}", f"{self.href}#{anchor}"))
        return links


def glossary_from(pages) -> Glossary | None:
    """The glossary of the site's markdown pages (`SiteData.pages`), or None when it has none with terms."""
    page = next((p for p in pages if p.slug == SLUG and not p.error), None)
    terms = page.meta.get("terms") if page is not None else None
    if not isinstance(terms, dict) or not terms:
        return None
    ids = set(HEADING_ID.findall(page.body))
    patterns = [(str(anchor), phrase) for anchor, given in terms.items() if str(anchor) in ids
                for phrase in phrases(given)]
    patterns.sort(key=lambda item: -len(item[1]))
    return Glossary(f"{SLUG}/", tuple((anchor, re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE))
                                      for anchor, phrase in patterns))
