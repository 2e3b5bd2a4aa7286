"""An indicator page's chart of every ICS and England over time, with a rule wherever the map of boards changed."""

from __future__ import annotations

from collections import Counter

from icsite.charts import specs as charts
from icsite.charts.annotations import headroom, label_side
from icsite.core.display import Link, Table
from icsite.core.formatting import long_date
from icsite.core.standard import ENGLAND
from icsite.pages.figures import Figure, figure
from icsite.pages.index import SiteIndex
from icsite.pages.text import change_label, kinds_text

SHOWN_PERIODS = 6  # the latest periods the chart's table gives


def over_time_figure(ix: SiteIndex, ind_id: str, ind) -> Figure | None:
    """Every ICS and England over time (None with fewer than two periods).

    One line per board: codes that changed by `code_change` join their successor's line, and boards that
    closed or opened (including a boundary change, which gives a new code) have lines of their own.
    """
    periods = sorted(ix.periods.get(ind_id, []), key=lambda p: p[2])  # (period, start, end), by end
    if len(periods) < 2:
        return None
    h = ix.history[ind_id]
    count = ind["value_type"] == "count"  # England's total is not on a board's scale: in the table, not drawn
    rows = [{"area": ix.short_names[code], "line": ix.line_codes.get(code, code),
             "series": "England" if code == ENGLAND else "ICS", "period": period, "period_end": end,
             "value": round(float(value), 4)}
            for code, period, end, value in zip(h["area_code"], h["period"], h["end"], h["value"])
            if not (count and code == ENGLAND)]
    last = [p[0] for p in periods[-SHOWN_PERIODS:]]
    first, last_end = min(p[2] for p in periods), max(p[2] for p in periods)
    start = min(p[1] for p in periods)
    changes = [c for c in ix.changes if start < c["date"] <= last_end]
    rules = [{"period_end": c["date"].strftime("%Y-%m-%d"),
              "label": change_label(c["boards_before"], c["boards_after"], c["date"]),
              "side": label_side(c["date"], first, last_end, 0.8),
              "headroom": headroom([r["value"] for r in rows], 0.08)}
             for c in changes]
    spec = charts.over_time_chart(rows, title=f"{ind['title']} over time", unit=ind["unit"],
                                  decimals=int(ind["decimals"]), changes=rules, england=not count)
    return figure("over-time", spec, f"{ind['title']}: every ICS" + ("" if count else " and England") + " over time",
                  description(ind, periods, changes) + before_boards(ix, h),
                  Table(f"{ind['title']}, latest {len(last)} periods ({ind['unit']})", ["Area"] + last,
                        latest_table(ix, ind, h, last), [False] + [True] * len(last)))


def latest_table(ix: SiteIndex, ind, h: dict[str, list], last: list[str]) -> list[list]:
    """A row per area (England first) with a value in the `last` periods: its values in them."""
    wanted = set(last)
    cells: dict[str, dict] = {}  # code -> {period: value}
    for code, period, value in zip(h["area_code"], h["period"], h["value"]):
        if period in wanted:
            cells.setdefault(code, {}).setdefault(period, value)
    order = sorted(cells, key=lambda c: (c != ENGLAND, ix.short_names[c], ix.area[c]["valid_from"]))
    names = Counter(ix.short_names[c] for c in order)
    table_rows = []
    for code in order:
        link = ix.area_link(code) if code != ENGLAND else Link("England", "")
        if code != ENGLAND and names[link.text] > 1:  # one board under two codes: say which is which
            link.text = f"{link.text} ({ix.validity_text(code)})"
        table_rows.append([link if code != ENGLAND else "England"]
                          + [ix.fmt_n(cells[code].get(p), ind) for p in last])
    return table_rows


def description(ind, periods: list[tuple], changes: list[dict]) -> str:
    """The chart's text description: what it shows, and what happened at each change to the map of boards."""
    text = (f"Line chart of {ind['short_title']} from {periods[0][0]} to {periods[-1][0]}: one thin line for each ICS"
            + (". England's total is in the table, not drawn: a count for the whole country is not on a board's scale."
               if ind["value_type"] == "count" else " and a thick dashed line for England."))
    for c in changes:
        when, before, after, what = c["date"], c["boards_before"], c["boards_after"], kinds_text(c["kinds"])
        change = (f"{before} integrated care boards became {after} through {what}" if before != after
                  else f"{what} took effect ({after} integrated care boards before and after)")
        text += (f" A vertical line marks {long_date(when)}, when {change}: boards that closed or opened then, or "
                 "whose boundary changed, have separate lines, so values either side of the line are for different "
                 "areas.")
    return text + " The table gives the latest periods."


def before_boards(ix: SiteIndex, h: dict[str, list]) -> str:
    """A sentence for a chart with figures on boards' (or regions') boundaries from before they existed (the
    registry's `figures_from`): which, and from when the boards existed; empty otherwise."""
    earliest: dict[str, str] = {}  # code -> its earliest period end, over this indicator's history
    for code, end in zip(h["area_code"], h["end"]):
        if code not in earliest or end < earliest[code]:
            earliest[code] = end
    before = sorted({ix.area[c]["valid_from"] for c, end in earliest.items() if ix.area[c]["type"] != "country"
                     and end < ix.area[c]["valid_from"].strftime("%Y-%m-%d")})
    if not before:
        return ""
    when = " or ".join(long_date(d) for d in before)
    return (f" Values for periods before {when}, when the boards or regions concerned were established, are figures "
            "for their areas from before they existed, as the publisher gives them.")

