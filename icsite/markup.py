"""Markdown to safe HTML: rendered with python-markdown, then sanitised with nh3 (no scripts, no handlers)."""

from __future__ import annotations

import markdown
import nh3

ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "lang"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
}


def render_markdown(text: str) -> str:
    """Markdown (with tables, heading ids, definition lists) as sanitised HTML."""
    html = markdown.markdown(text, extensions=["tables", "toc", "def_list", "fenced_code", "attr_list"],
                             output_format="html")
    safe = nh3.clean(html, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
    return scrollable_tables(safe)


def scrollable_tables(html: str) -> str:
    """Each table inside a region that scrolls sideways and can take keyboard focus, so a wide table never makes the
    page scroll sideways on a phone (added after sanitising: the sanitiser would drop tabindex and role)."""
    parts = html.split("<table>")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f'<div class="table-scroll" role="region" tabindex="0" aria-label="Table {n}"><table>'
                   + part.replace("</table>", "</table></div>", 1))
    return "".join(out)
