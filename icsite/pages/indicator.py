"""An indicator's page: every ICS in the latest period (ranked, on a funnel plot, on a tile map) and over time."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

from icsite.charts import specs as charts
from icsite.charts import spine_funnel as charts_more
from icsite.compute.summaries import indicator_sentence
from icsite.compute.tilemap import tile_chart_rows
from icsite.compute.trends import RECENT, YEAR_ON
from icsite.core.display import Table
from icsite.core.formatting import is_missing, number, ordinal, with_unit
from icsite.core.standard import ranking_polarity
from icsite.pages.contexts import IndicatorPage
from icsite.pages.figures import Figure, figure, place, preview
from icsite.pages.index import SiteIndex, indicator_slug
from icsite.pages.over_time import over_time_figure
from icsite.pages.text import polarity_text, rank_range_text

INDICATOR_KEYS = ["id", "title", "domain_title", "unit", "polarity", "value_type", "multiplier", "decimals",
                  "definition", "source", "frequency", "illustrative", "package", "keywords"]


def indicator_page(ix: SiteIndex, ind_id: str) -> IndicatorPage:
    """The page of one indicator, complete: its charts with their files, and the page's preview."""
    ind = ix.ind[ind_id]
    now = ix.now.get(ind_id, [])
    latest = ix.comp.latest_period
    period = latest.at[ind_id, "period"] if ind_id in latest.index else ""
    eng_value = ix.england_now.get(ind_id)
    target = None if is_missing(ind["target"]) else float(ind["target"])
    path = f"indicators/{indicator_slug(ind_id)}/"
    figures = [ranked_figure(ix, ind, now, period, eng_value, target), funnel_figure(ix, ind, now, period, eng_value),
               tiles_figure(ix, ind, now, period), over_time_figure(ix, ind_id, ind)]
    what = " (illustrative values)" if ind["illustrative"] else " (official statistics)"
    # every caption says what the values are (embedded alone, a chart has no page around it)
    figures = [None if f is None else replace(f, caption=f.caption + what) for f in figures]
    ranked, funnel, tiles, over_time = place(path, figures, ix.images)
    return IndicatorPage(
        "indicator.html", path, ind["title"], ind["definition"], has_charts=True,
        image=preview(path, [ranked, funnel, tiles, over_time]), indicator=indicator_dict(ind),
        polarity_text=polarity_text(ind["polarity"]), latest_period=period, england=ix.fmt(eng_value, ind),
        target=(ix.fmt(target, ind) + (f" ({ind['target_label']})" if ind["target_label"] else ""))
        if target is not None else "",
        summary=indicator_summary(ind, now, period), ranked=ranked, over_time=over_time, funnel=funnel,
        tiles=tiles, downloads=ix.downloads.get(f"indicators/{ind_id}", []) + ix.downloads.get(ind["package"], []),
        most_improved=(improved := [ix.area_link(c, ix.trend_of(ind_id, c))
                                    for c in ix.comp.learning.get((None, ind_id), [])]),
        improved_text=improved_text(ix.trend_methods.get(ind_id, ("", "")), bool(improved)),
        improved_stories=[ix.work_links([c], ind_id) for c in ix.comp.learning.get((None, ind_id), [])],
        stories=[ix.story_link(s, f"{ix.short_names[s.board]}, {s.period_from} to {s.period_to}: {s.summary}")
                 for s in ix.indicator_stories.get(ind_id, [])],
        target_summary=target_summary(now, ind))


def improved_text(method: tuple[str, str], any_improved: bool) -> str:
    """What the indicator page's "Most improved" list means, by the direction of travel its series have (the
    method most of them have; and when none has a direction, the most common reason)."""
    name, none_because = method
    if none_because or name not in (RECENT, YEAR_ON):
        return "No ICS has a direction of travel on this indicator." + (f" {none_because}" if none_because else "")
    if name == RECENT:
        return ("The ICSs whose values are getting significantly better over the latest five years (OHID's recent "
                "trend), the most significant first:" if any_improved else
                "No ICS is getting significantly better on this indicator over the latest five years (OHID's recent "
                "trend).")
    return ("The ICSs whose latest values are significantly better than for the same month or quarter a year "
            "earlier, the most significant change first:" if any_improved else
            "No ICS's latest value is significantly better than for the same month or quarter a year earlier.")


def indicator_dict(ind: dict) -> dict:
    out = {k: ind[k] for k in INDICATOR_KEYS}
    out["fingertips_id"] = "" if is_missing(ind.get("fingertips_id")) else str(ind["fingertips_id"])
    return out


def valued(now: list[dict]) -> list[dict]:
    """The rows that have a value."""
    return [r for r in now if not is_missing(r["value"])]


def indicator_summary(ind, now: list[dict], period: str) -> list[str]:
    """A sentence a journalist could quote about the latest period."""
    counts = Counter(r["compared_to_england"] for r in now)
    return [indicator_sentence(period, counts, len(valued(now)), ind["polarity"] != "no_judgement")]


def target_summary(now: list[dict], ind) -> str:
    """"12 of 36 ICSs met the target of 78%" for the latest period, or "" without a target."""
    if not now or is_missing(ind["target"]):
        return ""
    judged = [r["compared_to_target"] for r in now if r["compared_to_target"] != ""]
    if not judged:
        return ""
    met = judged.count("Met")
    return f"{met} of {len(judged)} ICSs met the target of {with_unit(ind['target'], ind['unit'], int(ind['decimals']))}."


def ranked_figure(ix: SiteIndex, ind, now: list[dict], period: str, eng_value, target) -> Figure | None:
    """Every ICS in the latest period, best first, with its interval, England's value and the target."""
    if not now:
        return None
    now = sorted(valued(now), key=lambda r: (r["rank"], r["area_code"]))
    rows, table_rows = [], []
    for order, r in enumerate(now, start=1):
        name = ix.short_names[r["area_code"]]
        rows.append({"area": name, "value": round(float(r["value"]), 4),
                     "lower": None if is_missing(r["lower_ci"]) else round(float(r["lower_ci"]), 4),
                     "upper": None if is_missing(r["upper_ci"]) else round(float(r["upper_ci"]), 4),
                     "comparison": r["compared_to_england"], "order": order, "rank": int(r["rank"])})
        table_rows.append([f"{ordinal(r['rank'])} of {int(r['rank_of'])}", ix.area_link(r["area_code"]),
                           ix.fmt_n(r["value"], ind), ix.fmt_n(r["lower_ci"], ind), ix.fmt_n(r["upper_ci"], ind),
                           r["compared_to_england"], r["compared_to_england_99_8"], rank_range_text(r)])
    direction = {"high_is_good": "highest (best) first", "low_is_good": "lowest (best) first"}.get(
        ranking_polarity(ind["polarity"], ind["value_type"]), "highest first")
    with_ci = any(r["lower"] is not None for r in rows)
    # a count for England is a total, not on an ICS's scale: no England line for counts
    england_line = None if ind["value_type"] == "count" else eng_value
    spec = charts.ranked_chart(rows, title=f"{ind['title']}, {period}",
                               subtitle=f"{len(rows)} ICSs, {direction}" + (", with 95% confidence intervals"
                                                                           if with_ci else ""),
                               unit=ind["unit"], england=england_line, target=target, decimals=int(ind["decimals"]))
    counts = Counter(r["compared_to_england"] for r in now)
    parts = [f"{counts[c]} {c.lower()}" for c in ("Better", "Similar", "Worse", "Lower", "Higher", "Not compared")
             if c in counts]
    description = f"Dot chart of {ind['short_title']} in {period} for {len(rows)} ICSs, {direction}"
    description += ", each with its 95% confidence interval as a horizontal line" if with_ci else \
        "; this measure has no confidence intervals, so ICSs are not compared with England"
    if england_line is not None:
        description += f"; the dashed line is England's value ({ix.fmt(eng_value, ind)})"
    if with_ci:
        description += f". Compared with England: {', '.join(parts)}"
    description += "."
    if ind["value_type"] == "count":
        description += (" A count grows with the number of people a system serves, so the order is one of size, "
                        "not of better or worse.")
    return figure("ranked", spec, f"{ind['title']}: every ICS, {period}", description,
                  Table(f"{ind['title']} by ICS, {period} ({ind['unit']})",
                        ["Rank", "ICS", "Value", "Lower 95% limit", "Upper 95% limit", "Compared with England (95%)",
                         "Compared with England (99.8%)", "Rank could be"],
                        table_rows, [True, False, True, True, True, False, False, False]))


def funnel_figure(ix: SiteIndex, ind, now: list[dict], period: str, eng_value) -> Figure | None:
    """Funnel plot for indicators whose values have denominators (proportions and crude rates)."""
    if ind["value_type"] not in ("proportion", "crude_rate") or all(is_missing(r["denominator"]) for r in now):
        return None
    records = sorted((r for r in valued(now) if not is_missing(r["denominator"])), key=lambda r: r["area_code"])
    values, sizes = [float(r["value"]) for r in records], [float(r["denominator"]) for r in records]
    judge = dict(england=float(eng_value) if not is_missing(eng_value) else math.nan, polarity=ind["polarity"],
                 multiplier=float(ind["multiplier"]), value_type=ind["value_type"])
    at_95, at_998 = (charts_more.funnel_verdicts(values, sizes, confidence=c, **judge) for c in (0.95, 0.998))
    rows = [{"area": ix.short_names[r["area_code"]], "value": round(value, 4), "denominator": size,
             "comparison": verdict} for r, value, size, verdict in zip(records, values, sizes, at_95)]
    spec = charts_more.funnel_chart(rows, title=f"{ind['short_title']}: value against size, {period}",
                                    subtitle="Control limits around England's value at 95% and 99.8%",
                                    unit=ind["unit"], england=eng_value, decimals=int(ind["decimals"]),
                                    multiplier=float(ind["multiplier"]), value_type=ind["value_type"])
    outside = sum(verdict not in ("Similar", "Not compared") for verdict in at_998)
    table_rows = [[ix.area_link(r["area_code"]), number(r["denominator"], 0), ix.fmt_n(r["value"], ind), a, b]
                  for r, a, b in zip(records, at_95, at_998)]
    return figure("funnel", spec, f"{ind['short_title']}: funnel plot, {period}",
                  f"Funnel plot: each ICS's value in {period} against the number of people or events it is based "
                  "on, with England's value as a line and funnels of 95% and 99.8% control limits around it, which "
                  "narrow as numbers grow. Each point is judged by these lines: one outside a funnel differs from "
                  f"England by more than chance; {outside} ICSs lie outside the 99.8% limits.",
                  Table(f"{ind['title']}: value and denominator by ICS, {period}",
                        ["ICS", "Denominator", "Value", "Against the 95% limits", "Against the 99.8% limits"],
                        table_rows, [False, True, True, False, False]))


def tiles_figure(ix: SiteIndex, ind, now: list[dict], period: str) -> Figure | None:
    """Tile map of the ICSs of the latest period, coloured by comparison with England."""
    now = valued(now)
    if not now:
        return None
    layout = ix.layouts[max(r["period_end"] for r in now)]  # laid out once per date, for every indicator ending then
    layout = layout[layout["code"].isin({r["area_code"] for r in now})]
    values = {r["area_code"]: {"comparison": r["compared_to_england"], "value_text": ix.fmt(r["value"], ind)}
              for r in now}
    rows = tile_chart_rows(layout, ix.short_names, values)
    spec = charts.tile_chart(rows, title=f"{ind['short_title']} by ICS, {period}",
                             subtitle="Each square is an ICS, placed roughly as on a map of England",
                             columns=int(layout["col"].max()) + 1, rows_count=int(layout["row"].max()) + 1)
    table_rows = [[ix.area_link(r["code"]), r["label"], r["comparison"], r["value_text"]]
                  for r in sorted(rows, key=lambda r: r["name"])]
    counts = Counter(r["comparison"] for r in rows)
    return figure("tiles", spec, f"{ind['short_title']}: map of ICSs, {period}",
                  f"Tile map of {len(rows)} ICSs, one square each, arranged roughly as on a map of England (north at "
                  "the top), each labelled with its initials and shaded by how it compares with England: "
                  + ", ".join(f"{n} {c.lower()}" for c, n in sorted(counts.items())) + ".",
                  Table(f"{ind['title']}: ICSs on the tile map, {period}",
                        ["ICS", "Label on the map", "Compared with England", "Value"], table_rows))
