"""Lay out ICB geographies on a small square grid for a tile map: one equal-sized square per board.

Pure and deterministic: no I/O, no randomness, ties broken by ONS code.

Method (`tile_layout`):

1. Boards: every ``type == "icb"`` row of ``areas`` valid on ``on`` (``valid_from <= on`` and ``valid_to``
   empty or ``>= on``).
2. A point per board: its lat/long (ONS label point). A board without one takes the equally weighted mean of
   its predecessors' points (``successions.csv``, ``successor_code == code``), walking further back through
   predecessors that lack a point themselves.
3. Project to a plane: ``x = long * cos(mean lat)``, ``y = lat``; one scale for both axes, so the shape of
   England is kept, chosen so the points span about ``ceil(sqrt(1.6 n)) - 1`` columns. ``row`` grows southward.
   Positions are rounded to a millionth of a cell, so that the last bits of the trigonometry (which may differ
   between maths libraries) cannot tip a tie in step 4.
4. Assign each board a distinct integer cell (the grid, padded by ``PAD`` cells all round, is the candidate
   set) minimising the total squared displacement between point and cell centre: first greedily, taking
   (board, cell) pairs in order of distance (ties by code, then row, then column); then local search, each
   step applying the best of all swaps of two boards' cells and all moves of a board to an empty cell, until
   no step lowers the total. Dense areas (London and the south-east) spill outward onto nearby cells.
5. Trim empty outer rows and columns so the grid starts at (0, 0).

`tile_chart_rows` turns a layout into records for a Vega-Lite chart, with a short unique label per board.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from icsite.inputs.model import board_points

PAD = 2  # empty cells allowed around the scaled bounding box
ASPECT = 1.6  # cells per board along the column count: ncols = ceil(sqrt(ASPECT * n))
MAX_LABEL = 6
GRID_DECIMALS = 6  # of a board's position in cells: far finer than a cell, far coarser than floating-point noise
_STOP = {"and", "the", "of", "on", "upon", "nhs", "integrated", "care", "board"}


def valid_icbs(areas: pd.DataFrame, on: pd.Timestamp) -> pd.DataFrame:
    """The boards valid on `on`, sorted by code."""
    icb = areas[areas["type"] == "icb"]
    ok = (icb["valid_from"] <= on) & (icb["valid_to"].isna() | (icb["valid_to"] >= on))
    return icb[ok].sort_values("code")


def _assign(cost: np.ndarray) -> np.ndarray:
    """A distinct cell per row of `cost` (boards x cells): greedy by cost, then best-improvement swaps/moves."""
    n, m = cost.shape
    flat = np.arange(n * m)
    order = np.lexsort((flat % m, flat // m, cost.ravel()))  # by cost, then board index, then cell index
    cell = np.full(n, -1)
    taken = np.zeros(m, dtype=bool)
    for k in order:
        i, c = divmod(int(k), m)
        if cell[i] < 0 and not taken[c]:
            cell[i], taken[c] = c, True
    idx = np.arange(n)
    while True:
        here = cost[idx, cell]
        swap = cost[:, cell] + cost[:, cell].T - here[:, None] - here[None, :]  # [i, j]: i takes j's cell
        move = np.where(taken[None, :], np.inf, cost - here[:, None])  # [i, c]: i moves to empty cell c
        i, j = np.unravel_index(np.argmin(swap), swap.shape)
        a, c = np.unravel_index(np.argmin(move), move.shape)
        if min(swap[i, j], move[a, c]) > -1e-9:
            return cell
        if swap[i, j] <= move[a, c]:
            cell[i], cell[j] = cell[j], cell[i]
        else:
            taken[cell[a]], taken[c], cell[a] = False, True, c


def tile_layout(areas: pd.DataFrame, successions: pd.DataFrame, on: pd.Timestamp) -> pd.DataFrame:
    """Columns code, col, row (ints >= 0, row 0 north): one distinct cell per ICB valid on `on`."""
    pts = board_points(areas, successions, list(valid_icbs(areas, pd.Timestamp(on))["code"]))
    codes = list(pts)  # the boards that can be placed
    if not codes:
        return pd.DataFrame({"code": pd.Series(dtype=str), "col": pd.Series(dtype=int),
                             "row": pd.Series(dtype=int)})
    lat = np.array([pts[c][0] for c in codes])
    lon = np.array([pts[c][1] for c in codes])
    x, y = lon * math.cos(math.radians(lat.mean())), lat
    ncols = math.ceil(math.sqrt(ASPECT * len(codes)))
    scale = (ncols - 1) / max(np.ptp(x), 1e-9) if ncols > 1 else 1.0
    gx, gy = np.round((x - x.min()) * scale, GRID_DECIMALS), np.round((y.max() - y) * scale, GRID_DECIMALS)
    cols = np.arange(-PAD, ncols + PAD)
    rows = np.arange(-PAD, math.ceil(gy.max()) + 1 + PAD)
    cc, rr = (a.ravel() for a in np.meshgrid(cols, rows))  # cells in row-major order
    cost = (gx[:, None] - cc[None, :]) ** 2 + (gy[:, None] - rr[None, :]) ** 2
    cell = _assign(cost)
    col, row = cc[cell], rr[cell]
    return pd.DataFrame({"code": codes, "col": (col - col.min()).astype(int), "row": (row - row.min()).astype(int)})


def short_label(name: str) -> str:
    """A label of at most 6 characters: the initials of a many-word name, else the word (cut to 5 and '.')."""
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _STOP] or [name.strip() or "?"]
    if len(words) > 1:
        return "".join(w[0].upper() for w in words)[:MAX_LABEL]
    word = words[0]
    return word if len(word) <= MAX_LABEL else word[:MAX_LABEL - 1] + "."


def tile_chart_rows(layout: pd.DataFrame, names: dict[str, str], values: dict[str, dict]) -> list[dict]:
    """Records for a Vega-Lite tile chart: code, col, row, name, a unique short label, plus values[code]."""
    used: set[str] = set()
    records = []
    for r in layout.sort_values("code").itertuples():
        name = names.get(r.code, r.code)
        label, k = short_label(name), 1
        while label in used:  # disambiguate deterministically: ABC, AB2, AB3, ...
            k += 1
            label = short_label(name)[:MAX_LABEL - len(str(k))] + str(k)
        used.add(label)
        records.append({"code": r.code, "col": int(r.col), "row": int(r.row), "name": name, "label": label,
                        **values.get(r.code, {})})
    return records
