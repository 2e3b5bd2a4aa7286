"""Atom feeds of new data releases (site-wide, and one per ICS so a reader can follow one system), the sitemap
and robots.txt. Pure: text out. Dates are the releases' own dates, so feeds are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from icsite.datasets.releases import Release
from icsite.inputs.stories import Story
from icsite.pages.render import relative_url


@dataclass
class Entry:
    id: str
    title: str
    updated: str  # YYYY-MM-DD
    href: str  # relative to the site root
    summary: str


def stamp(day: str) -> str:
    return f"{day or '1970-01-01'}T00:00:00Z"


def atom(title: str, path: str, about: str, entries: list[Entry], root: str, feed_id: str, author: str) -> bytes:
    """An Atom 1.0 feed written at `path` (site-relative), newest entry first; links are absolute when the site's
    address (`root`) is known, else relative to the feed."""
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""

    def href(target: str) -> str:
        return root + target if root else relative_url(target, folder)

    entries = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)
    updated = stamp(entries[0].updated if entries else "")
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"  <title>{escape(title)}</title>", f"  <id>{escape(feed_id)}</id>", f"  <updated>{updated}</updated>",
             f"  <author><name>{escape(author)}</name></author>",
             f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(href(path))}/>",
             f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(href(about))}/>"]
    for e in entries:
        lines += ["  <entry>", f"    <title>{escape(e.title)}</title>", f"    <id>{escape(e.id)}</id>",
                  f"    <updated>{stamp(e.updated)}</updated>",
                  f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(href(e.href))}/>",
                  f"    <summary>{escape(e.summary)}</summary>", "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def release_entry(r: Release, title: str, summary: str, suffix: str = "") -> Entry:
    return Entry(f"urn:ics-outcomes:release:{r.package}:{r.version}{suffix}", f"{title}: version {r.version}",
                 r.released, f"data/{r.package}/{r.version}/", summary)


def story_entry(story: Story, board: str) -> Entry:
    """A feed entry for an improvement story (an invented example says so in its title)."""
    return Entry(f"urn:ics-outcomes:story:{story.slug}", f"Improvement story, {board}: {story.label}", story.date,
                 f"{story.slug}/", story.summary)


def site_feed(releases: dict[str, list[Release]], titles: dict[str, str], sentences, root: str, site_title: str,
              author: str, stories: list[Entry] | None = None) -> bytes:
    """feed.xml: every release of every data set, and every improvement story (`story_entry`)."""
    entries = [release_entry(r, titles[name], " ".join(sentences(r.changes, r.previous)))
               for name, rels in releases.items() for r in rels] + list(stories or [])
    what = "new data releases and improvement stories" if stories else "new data releases"
    return atom(f"{site_title}: {what}", "feed.xml", "data/", entries, root, "urn:ics-outcomes:feed", author)


def area_feed(code: str, name: str, slug: str, releases: dict[str, list[Release]], titles: dict[str, str],
              packages_with_area: set[str], root: str, site_title: str, author: str,
              stories: list[Entry] | None = None) -> bytes:
    """ics/<slug>/feed.xml: the releases of the data sets that have values for this ICS, with its own counts, and
    its improvement stories."""
    entries = list(stories or [])
    for package, rels in releases.items():
        if package not in packages_with_area:
            continue
        for r in rels:
            if r.changes:
                new = r.changes.get("new_values_by_area", {}).get(code, 0)
                revised = sum(1 for v in r.changes["revised_values"] if v["area_code"] == code)
                changed = sum(1 for v in r.changes["changed_comparisons"] if v["area_code"] == code)
                summary = (f"{new:,} new value(s), {revised:,} revised value(s) and {changed:,} changed "
                           f"comparison(s) with England for {name} since version {r.previous}.")
            else:
                summary = f"First release of {titles[package]}, with values for {name}."
            entries.append(release_entry(r, titles[package], summary, f":{code}"))
    return atom(f"{name}: new data ({site_title})", f"ics/{slug}/feed.xml", f"ics/{slug}/", entries, root,
                f"urn:ics-outcomes:feed:{code}", author)


def sitemap(paths: list[str], root: str, lastmod: str) -> bytes:
    """sitemap.xml of every page (needs the site's absolute address)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(root + p)}</loc><lastmod>{lastmod}</lastmod></url>" for p in sorted(paths)]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(root: str) -> bytes:
    """robots.txt: everything may be indexed; the sitemap's address when the site's address is known."""
    text = "User-agent: *\nAllow: /\n" + (f"Sitemap: {root}sitemap.xml\n" if root else "")
    return text.encode("utf-8")
