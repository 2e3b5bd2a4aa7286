"""Questions a board could ask about its system, computed from its figures, for the peer-challenge pack (pages.pack).
Pure: no I/O; each question is made from one indicator's `Finding` alone.

One question per indicator, of the first kind that applies:

1. worse than England, and similar systems are significantly better in the same period: why, and what did they do
   (naming the two best of them with their values, and how those that are improving moved);
2. worse than England, with no similar system significantly better (or none compared): what would close the gap;
3. getting significantly worse: what is driving it;
4. a target not met: what it will take to meet it.

A question of the first two kinds also says when the indicator is getting worse, or misses its target. Questions
come most important first: by the size of the difference they rest on, relative to the value it is measured from
(the best similar system's gap over the board's value, the gap to England over England's value, the change over
its first value, the shortfall over the target), and at most QUESTIONS of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from icsite.pages.index import SiteIndex
from icsite.pages.text import join_names

QUESTIONS = 8  # at most: a board paper's page of questions
NAMED_PEERS = 2  # similar systems named in a question, the best first


@dataclass(frozen=True)
class Change:
    """A series' first and last values over its direction-of-travel window (a significant change)."""

    start_period: str
    start: float
    end_period: str
    end: float


@dataclass(frozen=True)
class Peer:
    """A similar system significantly better than the board, in the same period."""

    name: str
    value: float
    improved: Change | None = None  # its own significant improvement, when it has one


@dataclass(frozen=True)
class Finding:
    """One indicator of one board: what a question can be made of."""

    indicator: str  # its plain title
    board: str  # the board's short name
    period: str
    value: float
    unit: str
    decimals: int
    england: float | None = None
    worse: bool = False  # significantly worse than England
    peers_compared: bool = True  # the board has similar systems to compare with (a closed board has none)
    better_peers: tuple[Peer, ...] = ()  # similar systems significantly better, in any order
    high_is_good: bool = True  # the indicator's polarity, to put the best peer first
    worsening: Change | None = None  # getting significantly worse
    target: float | None = None
    target_missed: bool = False
    illustrative: bool = False  # generated values: the question says so
    order: int = 0  # the indicator's place in the site's order (breaks ties)


def fmt(f: Finding, value: float) -> str:
    """A value in the finding's unit ("74.1%")."""
    return SiteIndex.fmt(value, {"unit": f.unit, "decimals": f.decimals})


def relative(a: float, b: float) -> float:
    """|a - b| relative to |b| (the plain difference when b is 0)."""
    return abs(a - b) / abs(b) if b else abs(a - b)


def moved(f: Finding, c: Change) -> str:
    """"from 70.0% in 2019/20 to 74.0% in 2023/24"."""
    return f"from {fmt(f, c.start)} in {c.start_period} to {fmt(f, c.end)} in {c.end_period}"


def title(f: Finding) -> str:
    return f"{f.indicator} (illustrative figures)" if f.illustrative else f.indicator


def ask(f: Finding) -> tuple[float, str] | None:
    """The finding's question and the size of the difference it rests on, or None when it raises none."""
    here = f"{f.board} ({fmt(f, f.value)} in {f.period})"
    if f.worse and f.better_peers:
        best = sorted(f.better_peers, key=lambda p: (-p.value if f.high_is_good else p.value, p.name))
        named = best[:NAMED_PEERS]
        others = len(best) - len(named)
        names = [f"{p.name} ({fmt(f, p.value)})" for p in named]
        if others:
            names.append(f"{others} other similar system{'s' if others > 1 else ''}")
        text = f"Why is {title(f)} worse in {here} than in similar systems {join_names(names)}?"
        improving = [p for p in named if p.improved is not None]
        for p in improving:
            text += f" {p.name} improved {moved(f, p.improved)}."  # type: ignore[arg-type]
        text += (f" What did {improving[0].name if len(improving) == 1 else 'they'} change that could work here?"
                 if improving else " What do they do differently?")
        return relative(best[0].value, f.value), text + also(f)
    if f.worse and f.england is not None:
        text = f"{title(f)} is worse in {here} than in England ({fmt(f, f.england)})"
        text += (", and no similar system is significantly better: what would close the gap?" if f.peers_compared
                 else ": what would close the gap?")
        return relative(f.value, f.england), text + also(f)
    if f.worsening is not None:
        c = f.worsening
        return relative(c.end, c.start), (f"Why has {title(f)} in {f.board} got worse, {moved(f, c)}, and what is "
                                          "being done about it?")
    if f.target_missed and f.target is not None:
        return relative(f.value, f.target), (f"{title(f)} in {here} misses its target of {fmt(f, f.target)}: what "
                                             "will it take to meet it, and by when?")
    return None


def also(f: Finding) -> str:
    """What a question about a gap adds: the indicator is also getting worse, or misses its target."""
    text = f" It is also getting worse, {moved(f, f.worsening)}." if f.worsening is not None else ""
    if f.target_missed and f.target is not None:
        text += f" It misses its target of {fmt(f, f.target)}."
    return text


def questions(findings: list[Finding], limit: int = QUESTIONS) -> list[str]:
    """The questions of the findings, the largest differences first (then in the site's order), at most `limit`."""
    asked = []
    for f in findings:
        found = ask(f)
        if found is not None:
            asked.append((-found[0], f.order, found[1]))
    return [text for *_, text in sorted(asked)[:limit]]
