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
    env.filters.update(number=number, ordinal=ordinal, long_date=long_date,
                       comparison_class=lambda c: COMPARISON_CLASS.get(c, "not-compared"))
    env.globals["embed_code"] = embed_code
    return env


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
    rel = posixpath.relpath(target.rstrip("/") or ".", start)
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            return "./"
    return rel


def render_page(env: Environment, page, site) -> str:
    """Render one page context with its template; `url` resolves links relative to this page."""
    template = env.get_template(page.template)
    if getattr(page, "absolute_links", False):  # a page served at any address (404.html): links from the root
        return template.render(page=page, site=site, url=lambda target: target if "://" in target
                               else site.base_path + target)
    return template.render(page=page, site=site, url=lambda target: relative_url(target, page.path))
