"""Chart specs (and other JSON a page embeds) as compact, stable text, safe inside a <script> element. No I/O."""

from __future__ import annotations

import json


def _rounded(node):
    """`node` with every float written to 10 significant digits at most (containers copied, other leaves kept).

    Written out for speed: a site's specs hold millions of values, most of them in lists of small dicts.
    """
    kind = type(node)  # exact types first
    if kind is dict:
        out = {}
        for key, value in node.items():
            kind = type(value)
            if kind is float:
                out[key] = float(f"{value:.10g}")
            elif kind is str or kind is int or kind is bool or value is None:
                out[key] = value
            else:
                out[key] = _rounded(value)
        return out
    if kind is list or kind is tuple:
        return [_rounded(value) for value in node]
    return float(f"{node:.10g}") if isinstance(node, float) else node


def spec_json(spec: dict) -> str:
    """A spec as compact, stable JSON that is safe inside a <script type="application/json"> element.

    Every float is written to 10 significant digits at most: a safety net under the charts' own rounding, so that
    the last digits of a computation (which differ between library versions) never reach the spec.
    """
    text = json.dumps(_rounded(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
