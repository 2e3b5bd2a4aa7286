"""Improvement stories: a page per story (what a system did, and a chart of whether its indicators moved) and the
index of stories by theme and by board. Where else a story shows (profiles, indicator pages, systems to learn
from) is each of those pages' business: they find it in `SiteIndex.board_stories`, `indicator_stories` and `work`.
"""

from __future__ import annotations

from icsite.charts import specs as charts
from icsite.core.display import Link, Table
from icsite.core.markup import render_markdown
from icsite.compute.derived import iso_date
from icsite.core.standard import ENGLAND
from icsite.inputs.model import DOMAINS
from icsite.inputs.stories import FOLDER, Story
from icsite.pages.contexts import StoriesIndexPage, StoryPage
from icsite.pages.figures import Figure, figure, place, preview
from icsite.pages.index import SiteIndex
from icsite.pages.text import join_names

LEGEND_NAME = 15  # characters: a longer board name is "This ICS" in the chart's legend (the title names it)
PEERS = "Similar ICSs"  # the chart's series of the board's peers, one thin grey line each (short: a phone's legend)


def story_page(ix: SiteIndex, story: Story) -> StoryPage:
    """stories/<name>/: the story, what it aimed to move, and those indicators for the board, its similar systems
    and England over the story's period."""
    path = f"{story.slug}/"
    name = ix.short_names[story.board]
    peers = [c for c in ix.comp.peers.get(story.board, []) if c in ix.short_names]
    figure_ = story_figure(ix, story, peers)
    chart = place(path, [figure_], ix.images)[0]
    indicators = [ix.indicator_link(i) for i in story.indicators]
    return StoryPage("story.html", path, story.title, story.summary, has_charts=chart is not None,
                     image=preview(path, [chart]), story=story, board=ix.area_link(story.board),
                     region=ix.region_name(story.board), indicators=indicators, body_html=render_markdown(story.body),
                     peers=[ix.area_link(c) for c in peers], chart=chart,
                     period=story.span, others=[ix.story_link(s) for s in ix.board_stories.get(story.board, [])
                                                     if s.slug != story.slug])


def story_figure(ix: SiteIndex, story: Story, peers: list[str]) -> Figure | None:
    """One panel per indicator: the board (blue), each similar system (grey) and England (dashed) from the story's
    first period to its last; None when no indicator has a value for the board then."""
    name = ix.short_names[story.board]
    label = name if len(name) <= LEGEND_NAME else "This ICS"  # the legend's three entries fit a 320 px screen
    order = [story.board] + peers + [ENGLAND]
    names = {story.board: name, **{c: ix.short_names[c] for c in peers}, ENGLAND: "England"}
    rows: list[dict] = []
    cells: dict[str, dict[str, dict[str, str]]] = {}  # indicator title -> area code -> period -> value
    spans: dict[str, list[str]] = {}  # indicator title -> its periods in the story's, in order
    for ind_id in story.indicators:
        ind = ix.ind[ind_id]
        ordered = [(period, iso_date(end)) for period, _, end in sorted(ix.periods.get(ind_id, []), key=lambda p: p[2])]
        ends = dict(ordered)  # period -> its end as the histories write it (YYYY-MM-DD)
        first, last = ends.get(story.period_from), ends.get(story.period_to)
        if first is None or last is None:
            continue
        unit = str(ind["unit"] or "")
        panel = f"{ind['short_title']} ({unit})" if unit else str(ind["short_title"])
        count = ind["value_type"] == "count"  # England's total is not on a board's scale
        h = ix.history.get(ind_id, {})
        mine, table = [], {}
        for code, period, end, value in zip(h.get("area_code", []), h.get("period", []), h.get("end", []),
                                            h.get("value", [])):
            if code not in names or not first <= end <= last or (count and code == ENGLAND):
                continue
            series = label if code == story.board else "England" if code == ENGLAND else PEERS
            mine.append({"title": panel, "series": series, "segment": names[code] if series == PEERS else "",
                         "period": period, "period_end": end, "value": round(float(value), 4)})
            table.setdefault(code, {})[period] = ix.fmt(value, ind)
        if story.board in table:
            rows += mine
            cells[ind["short_title"]] = table
            spans[ind["short_title"]] = [p for p, end in ordered if first <= end <= last]
    if not rows:
        return None
    span = story.span
    spec = charts.trend_chart(rows, title=f"{name}, similar systems and England, {span}", area_label=label,
                              columns=1, others=PEERS)
    drawn = join_names(list(cells))
    labelled = "" if label == name else f" (labelled {label})"
    return figure("story", spec, f"{drawn}: {name}, its similar systems and England, {span}",
                  f"Line chart{'s' if len(cells) > 1 else ''} of {drawn} from {span}: {name}'s values as a solid "
                  f"blue line with points{labelled}, each similar system's as a thin grey line and England's as a "
                  "dashed line (a count has no England line: a national total is not on a board's scale). The table "
                  "gives every value drawn.", story_table(name, order, names, cells, spans))


def story_table(name: str, order: list[str], names: dict[str, str], cells: dict, spans: dict) -> Table:
    """The chart's values: a row per indicator and area with a column per period when the indicators share their
    periods, else a row per indicator, area and period."""
    caption = f"Values drawn in the chart: {name}, its similar systems and England"
    shared = next(iter(spans.values()))
    if all(periods == shared for periods in spans.values()):
        rows = [[title, names[code]] + [table[code].get(p, "–") for p in shared]
                for title, table in cells.items() for code in order if code in table]
        return Table(caption, ["Indicator", "Area"] + shared, rows, [False, False] + [True] * len(shared))
    rows = [[title, names[code], p, table[code][p]] for title, table in cells.items() for code in order
            if code in table for p in spans[title] if p in table[code]]
    return Table(caption, ["Indicator", "Area", "Period", "Value"], rows, [False, False, False, True])


def stories_index_page(ix: SiteIndex) -> StoriesIndexPage:
    """stories/: every story, by theme (of the indicators it names) and by board."""
    by_theme: dict[str, list[Link]] = {}
    for domain, ids in ix.domain_ids.items():
        found = {s.slug: s for i in ids for s in ix.indicator_stories.get(i, [])}
        if found:
            by_theme[DOMAINS.get(domain, domain)] = [story_item(ix, s) for s in sorted(found.values(),
                                                                                        key=lambda s: s.slug)]
    by_board = [(ix.area_link(code), [story_item(ix, s) for s in stories])
                for code, stories in sorted(ix.board_stories.items(), key=lambda kv: ix.short_names[kv[0]])]
    return StoriesIndexPage("stories.html", f"{FOLDER}/", "Improvement stories",
                            "What systems did to improve, beside the indicators it aimed to move.",
                            themes=list(by_theme.items()), boards=by_board,
                            examples=sum(s.example for s in ix.stories), count=len(ix.stories))


def story_item(ix: SiteIndex, story: Story) -> Link:
    """A story in a list: its link, noting board and period, then its summary."""
    return ix.story_link(story, f"{ix.short_names[story.board]}, {story.period_from} to {story.period_to}: "
                                f"{story.summary}")
