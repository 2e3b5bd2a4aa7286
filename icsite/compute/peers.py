"""Peer groups and systems to learn from. Pure: no I/O.

Peers: each ICS's nearest neighbours on published, real context measures: registered population (on a log scale,
so that 1 and 2 million differ as much as 2 and 4 million) and the IMD 2025 average deprivation score. Each measure
is standardised across the boards compared (mean 0, standard deviation 1) and peers are the boards at the smallest
Euclidean distance, among the boards that existed at the same time. Age structure is not yet in the data; add
measures to PEER_MEASURES when it is.

Systems to learn from: for an ICS worse than England on an indicator, its peers whose 95% interval lies wholly on
the better side of its own interval (so the difference is not chance), and the ICSs whose values improved most
significantly over the direction-of-travel window.

Only boards that exist today are offered, and only against values of the same period: a closed board has no peers
and no advice (its record is on its own page and its successors' pages compare them today), and is never a peer,
a system to learn from or a most improved system.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icsite.inputs.model import plain

#: (indicator id, transform) of the context measures that define similarity
PEER_MEASURES = [("registered_population", np.log), ("imd_score", lambda x: x)]
PEERS = 5
IMPROVERS = 3


def peer_groups(values: pd.DataFrame, areas: pd.DataFrame, k: int = PEERS) -> dict[str, list[str]]:
    """Each current ICB's k nearest peers (codes, nearest first) among the current ICBs, where measures exist.
    (A closed board has none: it is compared today through its successors.)"""
    measures = context_measures(values)
    if measures.empty:
        return {}
    z = (measures - measures.mean()) / measures.std(ddof=0).replace(0, 1)
    codes = list(z.index)  # sorted, so equal distances fall back to code order
    points = z.to_numpy()
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    current = np.isnat(areas["valid_to"].reindex(codes).to_numpy("datetime64[ns]"))
    alive = current[None, :] & current[:, None]
    np.fill_diagonal(alive, False)
    distance = np.where(alive, distance, np.inf)
    order = np.argsort(distance, axis=1, kind="stable")[:, :k]
    return {code: [codes[j] for j in order[i] if np.isfinite(distance[i, j])] for i, code in enumerate(codes)
            if current[i]}


def context_measures(values: pd.DataFrame) -> pd.DataFrame:
    """One row per ICB with every peer measure (latest published value, transformed); ICBs lacking one are left out."""
    wanted = values["indicator_id"].isin([indicator for indicator, _ in PEER_MEASURES])
    icb = plain(values.loc[wanted & (values["area_type"] == "icb") & values["value"].notna(),
                           ["indicator_id", "area_code", "period_end", "value"]])
    columns = {}
    for indicator, transform in PEER_MEASURES:
        rows = icb[icb["indicator_id"] == indicator].sort_values("period_end").groupby("area_code").tail(1)
        columns[indicator] = transform(rows.set_index("area_code")["value"].astype(float))
    if not columns or any(c.empty for c in columns.values()):
        return pd.DataFrame()
    return pd.DataFrame(columns).dropna().sort_index()


def better(a_lower, a_upper, b_lower, b_upper, polarity: str) -> bool:
    """True when interval a lies wholly on the better side of interval b (False when any limit is missing)."""
    if polarity == "high_is_good":
        return bool(a_lower > b_upper)  # comparisons with NaN are False
    if polarity == "low_is_good":
        return bool(a_upper < b_lower)
    return False


def learning(latest: pd.DataFrame, peers: dict[str, list[str]], trends: pd.DataFrame, current: set[str]) -> dict:
    """Systems to learn from, per (area_code, indicator_id), for current ICBs worse than England in their latest period.

    `latest` holds each ICB's latest row per indicator (with period_end, compared_to_england and intervals);
    `current` the codes of the boards that exist today. Returns {(code, indicator): {"peers": [codes], "improvers":
    [codes]}} and, under (None, indicator), the most improved ICSs for the indicator page: current boards, with a
    value in the indicator's latest period. A board's improvers are those with a value in its own latest period.
    """
    out: dict = {}
    cols = ["area_code", "indicator_id", "period", "lower_ci", "upper_ci", "polarity", "compared_to_england",
            "period_end"]
    rows = {(r[0], r[1]): r for r in latest[cols].itertuples(index=False, name=None) if r[0] in current}
    in_period: dict[tuple, set[str]] = {}  # (indicator, period end) -> current boards with a value then
    for (code, indicator), row in rows.items():
        in_period.setdefault((indicator, row[7]), set()).add(code)
    improvers: dict[tuple, list[str]] = {}

    def improving(indicator: str, end) -> list[str]:
        if (indicator, end) not in improvers:
            improvers[indicator, end] = most_improved(trends, indicator, in_period.get((indicator, end), set()))
        return improvers[indicator, end]

    for indicator, group in latest.groupby("indicator_id", sort=False):
        out[(None, indicator)] = improving(indicator, group["period_end"].max())
    for (code, indicator), (_, _, period, lower, upper, polarity, comparison, end) in rows.items():
        if comparison != "Worse":
            continue
        better_peers = [p for p in peers.get(code, []) if (p, indicator) in rows and rows[(p, indicator)][2] == period
                        and better(rows[(p, indicator)][3], rows[(p, indicator)][4], lower, upper, polarity)]
        out[(code, indicator)] = {"peers": better_peers,
                                  "improvers": [c for c in improving(indicator, end) if c != code][:IMPROVERS]}
    return out


def most_improved(trends: pd.DataFrame, indicator: str, codes: set[str], n: int = 5) -> list[str]:
    """The ICSs (among `codes`) getting significantly better on the indicator, the most significant first."""
    t = trends[(trends["indicator_id"] == indicator) & trends["area_code"].isin(codes) & (trends["improving"] > 0)]
    t = t.reset_index(drop=True).assign(strength=t["trend_z"].abs().to_numpy())
    t = t.sort_values(["strength", "area_code"], ascending=[False, True])
    return list(t["area_code"][:n])
