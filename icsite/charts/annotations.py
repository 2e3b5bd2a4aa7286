"""Where a chart's annotations go: room above the data for a label, and the side of a rule its label sits on."""

from __future__ import annotations

from icsite.core.formatting import is_missing


def headroom(values, share: float) -> float:
    """A value `share` of the values' range above their maximum: room at the top of a chart for a label."""
    values = [float(v) for v in values if not is_missing(v)]
    top, bottom = max(values), min(values)
    return round(top + (top - bottom if top > bottom else abs(top) or 1.0) * share, 4)


def label_side(when, first, last, limit: float = 0.5) -> str:
    """Which side of a rule its label goes: to the right unless the rule is in the right part of the chart."""
    span = (last - first).total_seconds()
    return "right" if span > 0 and (when - first).total_seconds() / span < limit else "left"
