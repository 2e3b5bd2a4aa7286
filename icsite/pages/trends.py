"""A profile's trend charts: one small-multiple chart per theme of this ICS and England over time."""

from __future__ import annotations

from icsite.charts import specs as charts
from icsite.charts.annotations import headroom, label_side
from icsite.compute.derived import TREND_WINDOW
from icsite.core.display import Table
from icsite.core.formatting import is_missing, long_date
from icsite.inputs.model import DOMAINS
from icsite.pages.figures import Figure, figure
from icsite.pages.index import SiteIndex
from icsite.pages.text import short_date


def trend_figures(ix: SiteIndex, code: str, name: str) -> list[Figure]:
    """One small-multiple trend chart per theme: this ICS and England over the latest periods.

    A series that crosses a boundary change is drawn as one line per segment (the `segment` field), with a
    vertical rule at the change; the table gives each value's boundary. England's line is never broken. Similar
    ICSs are not drawn here: their values are compared on the peers page, and every ICS's series is on each
    indicator's over-time chart (seven lines a panel crowd a phone, and would write each value seven times).
    """
    out = []
    for domain, ids in ix.domain_ids.items():
        rows, table_rows, breaks, joined = domain_rows(ix, code, name, ids)
        if not rows:
            continue
        title = DOMAINS.get(domain, domain)
        spec = charts.trend_chart(rows, title=f"{title}: {name} and England over time", area_label=name)
        columns = ["Indicator", "Period", "Boundary", name, "England"]
        numeric = [False, False, False, True, True]
        if not breaks and not any(r[2] for r in table_rows):  # every value on the board's own, current boundary
            columns, numeric = columns[:2] + columns[3:], numeric[:2] + numeric[3:]
            table_rows = [r[:2] + r[3:] for r in table_rows]
        out.append(figure(
            f"trend-{domain}", spec, f"{title}: trends in {name} and England",
            description(name, title, len({r["title"] for r in rows}), breaks, joined),
            Table(f"{title}: values for {name} and England", columns, table_rows, numeric)))
    return out


def domain_rows(ix: SiteIndex, code: str, name: str, ids: list[str]) -> tuple[list[dict], list[list], dict, set]:
    """One theme's chart rows, table rows, boundary changes ({date: note}) and earlier codes joined to the line."""
    mine = ix.recent.get(code, {})
    rows: list[dict] = []
    table_rows: list[list] = []
    breaks: dict = {}
    joined: set[str] = set()
    for ind_id in ids:
        series = mine.get(ind_id)
        if series is None or len(series["value"]) < 2:
            continue
        ind = ix.ind[ind_id]
        title = ind["short_title"]
        unit = str(ind.get("unit") or "").strip()
        panel = f"{title} ({unit})" if unit and not is_missing(unit) else title  # the panel's axis has no title
        drawn_england = ind["value_type"] != "count"  # a count is not on England's scale
        for period, end, value, england, segment, before_break, source in zip(
                series["period"], series["end"], series["value"], series["england_value"],
                series["segment"], series["before_break"], series["area_code"]):
            rows.append({"title": panel, "series": name, "segment": segment, "period": period, "period_end": end,
                         "value": round(float(value), 4)})
            if not is_missing(england) and drawn_england:
                rows.append({"title": panel, "series": "England", "segment": "", "period": period,
                             "period_end": end, "value": round(float(england), 4)})
            table_rows.append([title, period, segment or before_existing(ix, source, end), ix.fmt(value, ind),
                               ix.fmt(england, ind)])
            if source != code and not before_break:
                joined.add(source)
        # a rule at each boundary change that values in the window come from before
        ends = {when: note for when, note, before in zip(series["segment_end"], series["break_note"],
                                                         series["before_break"]) if before}
        for when, note in sorted(ends.items()):
            breaks[when] = note
            rows.append({"title": panel, "period_end": when.strftime("%Y-%m-%d"),
                         "label": f"Boundary changed\n{short_date(when)}",
                         "side": label_side(when, series["period_end"][0], series["period_end"][-1], 0.55),
                         "headroom": headroom(series["value"] + (series["england_value"] if drawn_england else []),
                                              0.45)})
    return rows, table_rows, breaks, joined


def description(name: str, title: str, n_ind: int, breaks: dict, joined: set) -> str:
    """The text description of a theme's trend chart."""
    text = (f"Line charts, one for each of {n_ind} indicators on {title.lower()}, showing {name}'s values (solid "
            f"blue line with points) and England's (dashed line) for up to the latest {TREND_WINDOW} periods.")
    text += " The table gives every value shown."
    for when, note in sorted(breaks.items()):
        why = f": {note.rstrip('.')}." if note else "."
        text += (f" {name}'s series has a break on {long_date(when)}, when its boundary changed{why} Values "
                 "before and after the change cover different areas, so they are drawn as separate lines with a "
                 "vertical line at the change; the table gives each value's boundary, and the direction of travel "
                 "uses only values since the change.")
    if joined:
        text += (f" Earlier values were published under the board's previous ONS code ({', '.join(sorted(joined))}); "
                 "the board and its area did not change, so the line continues.")
    return text


def before_existing(ix: SiteIndex, code: str, end: str) -> str:
    """The table's boundary cell for a figure published on a board's boundary for a period before the board existed
    (the registry's `figures_from`): it says so; empty otherwise."""
    area = ix.area.get(code)
    if area is None or area["type"] == "country" or end >= area["valid_from"].strftime("%Y-%m-%d"):
        return ""
    return f"its area before the board existed ({long_date(area['valid_from'])})"

