"""A profile's trend charts: one small-multiple chart per theme of this ICS, its peers and England over time."""

from __future__ import annotations

from icsite.charts import specs as charts
from icsite.charts.annotations import headroom, label_side
from icsite.charts.specs import PEERS_LABEL
from icsite.compute.derived import TREND_WINDOW
from icsite.core.display import Table
from icsite.core.formatting import is_missing, long_date
from icsite.inputs.model import DOMAINS
from icsite.pages.figures import Figure, figure
from icsite.pages.index import SiteIndex
from icsite.pages.text import join_names, short_date


def trend_figures(ix: SiteIndex, code: str, name: str) -> list[Figure]:
    """One small-multiple trend chart per theme: this ICS, its peers and England over the latest periods.

    A series that crosses a boundary change is drawn as one line per segment (the `segment` field), with a
    vertical rule at the change; the table gives each value's boundary. England's line is never broken. Peers
    (the most similar ICSs) are thin grey lines over the same periods, each with a column in the table.
    """
    out = []
    peer_codes = ix.comp.peers.get(code, [])
    peer_names = [ix.short_names[p] for p in peer_codes]
    for domain, ids in ix.domain_ids.items():
        rows, table_rows, breaks, joined = domain_rows(ix, code, name, ids, peer_codes, peer_names)
        if not rows:
            continue
        periods = {r["period_end"]: r["period"] for r in rows if r.get("series") == name}
        for r in rows:  # a peer's point is labelled with the period it shares with this ICS
            if r.get("series") == PEERS_LABEL:
                r["period"] = periods[r["period_end"]]
        title = DOMAINS.get(domain, domain)
        with_peers = any(r.get("series") == PEERS_LABEL for r in rows)
        spec = charts.trend_chart(rows, title=f"{title}: {name}, similar ICSs and England over time"
                                  if with_peers else f"{title}: {name} and England over time",
                                  area_label=name, peers=with_peers)
        peer_columns = peer_names if with_peers else []
        if not with_peers:
            table_rows = [r[:5] for r in table_rows]
        columns = ["Indicator", "Period", "Boundary", name, "England"] + peer_columns
        numeric = [False, False, False, True, True] + [True] * len(peer_columns)
        if not breaks:
            columns, numeric = columns[:2] + columns[3:], numeric[:2] + numeric[3:]
            table_rows = [r[:2] + r[3:] for r in table_rows]
        caption = (f"{title}: trends in {name}, similar ICSs and England" if with_peers
                   else f"{title}: trends in {name} and England")
        out.append(figure(
            f"trend-{domain}", spec, caption,
            description(name, title, len({r["title"] for r in rows}), peer_names if with_peers else [], breaks,
                        joined),
            Table(f"{title}: values for {name}" + (", similar ICSs and England" if with_peers else " and England"),
                  columns, table_rows, numeric)))  # a data table: it scrolls sideways on a phone (WCAG 1.4.10)
    return out


def domain_rows(ix: SiteIndex, code: str, name: str, ids: list[str], peer_codes: list[str],
                peer_names: list[str]) -> tuple[list[dict], list[list], dict, set]:
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
        shown = set(series["end"])
        peer_values = []  # per peer: {period end: value}
        for peer, peer_name in zip(peer_codes, peer_names):
            theirs = ix.recent.get(peer, {}).get(ind_id)
            found = {}
            if theirs is not None:
                for end, value, segment in zip(theirs["end"], theirs["value"], theirs["segment"]):
                    if end in shown:
                        found[end] = value
                        rows.append({"title": title, "series": PEERS_LABEL, "area": peer_name,
                                     "segment": f"{peer}:{segment}", "period": "", "period_end": end,
                                     "value": round(float(value), 4)})
            peer_values.append(found)
        drawn_england = ind["value_type"] != "count"  # a count is not on England's scale
        for period, end, value, england, segment, before_break, source in zip(
                series["period"], series["end"], series["value"], series["england_value"],
                series["segment"], series["before_break"], series["area_code"]):
            rows.append({"title": title, "series": name, "area": name, "segment": segment, "period": period,
                         "period_end": end, "value": round(float(value), 4)})
            if not is_missing(england) and drawn_england:
                rows.append({"title": title, "series": "England", "area": "England", "segment": "",
                             "period": period, "period_end": end, "value": round(float(england), 4)})
            table_rows.append([title, period, segment, ix.fmt(value, ind), ix.fmt(england, ind)]
                              + [ix.fmt(found.get(end), ind) for found in peer_values])
            if source != code and not before_break:
                joined.add(source)
        # a rule at each boundary change that values in the window come from before
        ends = {when: note for when, note, before in zip(series["segment_end"], series["break_note"],
                                                         series["before_break"]) if before}
        for when, note in sorted(ends.items()):
            breaks[when] = note
            rows.append({"title": title, "period_end": when.strftime("%Y-%m-%d"),
                         "label": f"Boundary changed\n{short_date(when)}",
                         "side": label_side(when, series["period_end"][0], series["period_end"][-1], 0.55),
                         "headroom": headroom(series["value"] + (series["england_value"] if drawn_england else []),
                                              0.45)})
    return rows, table_rows, breaks, joined


def description(name: str, title: str, n_ind: int, peer_names: list[str], breaks: dict, joined: set) -> str:
    """The text description of a theme's trend chart."""
    text = (f"Line charts, one for each of {n_ind} indicators on {title.lower()}, showing {name}'s values (solid "
            f"blue line with points) and England's (dashed line) for up to the latest {TREND_WINDOW} periods.")
    if peer_names:
        text += f" Thin grey lines show the {len(peer_names)} most similar ICSs ({join_names(peer_names)})."
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
