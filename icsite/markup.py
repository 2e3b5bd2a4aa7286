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
    return nh3.clean(html, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
