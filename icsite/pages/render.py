"""The Jinja environment (theme chain, filters) and rendering page contexts to HTML strings.

Templates are looked up in the chosen theme, then in `themes/default`; a theme may also extend a default
template explicitly with `{% extends "default:base.html" %}`. Every link goes through the `url` filter, which
makes it relative to the page, so the site works under any sub-path (GitHub project pages) and from any host.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined,
                    select_autoescape)
from markupsafe import Markup, escape

from icsite.core.formatting import long_date, number, ordinal

COMPARISON_CLASS = {"Better": "better", "Worse": "worse", "Similar": "similar", "Lower": "lower",
                    "Higher": "higher", "Not compared": "not-compared"}


def theme_dirs(themes_dir: Path, theme: str) -> list[Path]:
    """Template folders in lookup order: the chosen theme first, then the default theme."""
    dirs = [themes_dir / theme / "templates"]
    if theme != "default":
        dirs.append(themes_dir / "default" / "templates")
    return dirs


def make_environment(themes_dir: Path, theme: str) -> Environment:
    """A strict, autoescaping environment over the theme chain."""
    default = FileSystemLoader(str(themes_dir / "default" / "templates"))
    loader = ChoiceLoader([FileSystemLoader([str(d) for d in theme_dirs(themes_dir, theme)]),
                           PrefixLoader({"default": default}, delimiter=":")])
    env = Environment(loader=loader, autoescape=select_autoescape(default_for_string=True, default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(number=number, ordinal=ordinal, long_date=long_date, css_string=css_string,
                       comparison_class=lambda c: COMPARISON_CLASS.get(c, "not-compared"))
    env.globals.update(embed_code=embed_code, cell_opens=cell_opens, table_cells=table_cells,
                       numeric_from=numeric_from)
    return env


def css_string(text) -> Markup:
    """Text as a quoted CSS string for a <style> element (a print footer's `content`): every character that could
    end the string or the element, or that HTML would read, written as a CSS escape."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\'\\<>&' or ord(ch) < 32 else ch for ch in str(text))
    return Markup(f'"{escaped}"')


#: numbers are right-aligned by a class on the table, not on each cell, when a plain (not stacking) table's numeric
#: columns are all those from some column on: `num-from-N` aligns cells from the Nth (style.css has N = 2 to 8)
NUM_FROM = range(2, 9)


def numeric_from(table) -> int:
    """N when the numeric columns of a plain table are exactly those from the Nth (1-based) on; else 0."""
    numeric = list(table.numeric or [])
    if table.stack or len(numeric) != len(table.columns) or True not in numeric:
        return 0
    first = numeric.index(True)
    return first + 1 if all(numeric[first:]) and first + 1 in NUM_FROM else 0


def cell_opens(table, num_from: int = 0) -> list[str]:
    """The opening tag of each column's cells: `<th scope="row">` for the first, then `<td>` with the column's name
    (`data-label`, for the card layout of a stacking table on a phone) and `class="num"` for numbers (unless the
    table's `num-from-N` class aligns them)."""
    numeric = list(table.numeric or [])
    opens = ['<th scope="row">']
    for i, column in enumerate(table.columns[1:], start=1):
        label = f' data-label="{escape(column)}"' if table.stack else ""
        num = ' class="num"' if i < len(numeric) and numeric[i] and not num_from else ""
        opens.append(f"<td{label}{num}>")
    return opens


def table_cells(row, opens: list[str], url) -> Markup:
    """One table row's cells, escaped; a cell with an `href` (a Link) is a link through `url`, or its text alone.

    Tables are most of the site's markup: writing a row in Python (plain strings, each value escaped once) rather
    than a cell at a time in Jinja makes rendering several times faster on large sites. The `data_table` macro
    decides the tags (`cell_opens`).
    """
    parts = []
    for i, value in enumerate(row):
        href = getattr(value, "href", None)
        if href is None:
            inner = escape(value)
        elif href:
            inner = f'<a href="{escape(url(href))}">{escape(value.text)}</a>'
        else:
            inner = escape(value.text)
        parts.append(f"{opens[i]}{inner}{'</th>' if i == 0 else '</td>'}")
    return Markup("".join(parts))


def embed_code(src: str, title: str) -> str:
    """The HTML a reader copies to embed a chart: an iframe whose attributes are escaped, so that no title or
    address can end an attribute (a `"` in a title) and add markup to the page it is pasted into.

    Returns plain text: the template escapes it again to show it, so the reader sees (and copies) exactly this.
    """
    attribute = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    return (f'<iframe src="{attribute(src)}" title="{attribute(title)}" width="100%" height="560" '
            'style="border:0" loading="lazy"></iframe>')


def relative_url(target: str, page_path: str) -> str:
    """A link from the page at `page_path` (a folder like "ics/devon/") to `target` (relative to the site root)."""
    if "://" in target or target.startswith(("#", "mailto:")):
        return target
    start = page_path.rstrip("/") or "."
    rel = relative_path(target.rstrip("/") or ".", start)
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            return "./"
    return rel


def relative_path(target: str, start: str) -> str:
    """`posixpath.relpath(target, start)` for two paths relative to the site root, without its trips through the
    file system's absolute paths (a large site makes a million links)."""
    steps = target.split("/")
    here = [] if start == "." else start.split("/")
    if "." in steps or ".." in steps or "" in steps or "." in here or ".." in here or "" in here:
        return posixpath.relpath(target, start)
    if steps == ["."]:
        steps = []
    common = 0
    while common < min(len(steps), len(here)) and steps[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + steps[common:]) or "."


def render_page(env: Environment, page, site) -> str:
    """Render one page context with its template; `url` resolves links relative to this page."""
    template = env.get_template(page.template)
    if getattr(page, "absolute_links", False):  # a page served at any address (404.html): links from the root
        return template.render(page=page, site=site, url=lambda target: target if "://" in target
                               else site.base_path + target)
    links: dict[str, str] = {}  # a page links to the same places many times: work each out once

    def url(target: str) -> str:
        found = links.get(target)
        if found is None:
            found = links[target] = relative_url(target, page.path)
        return found
    return template.render(page=page, site=site, url=url)
