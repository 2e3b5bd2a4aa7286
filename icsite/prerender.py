"""Static SVG and PNG images of every chart, so each chart is visible and reusable without JavaScript.

Rendering (vl-convert) costs a quarter of a second or more per chart, so images are cached by a hash of the
spec and the renderer's version in `.cache/images/`: an unchanged chart is never rendered twice, and a rebuild with
nothing changed renders nothing. Missing images are rendered in parallel, one process per processor.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from . import parallel

STATIC_WIDTH = 640  # charts that fill their container in the page are drawn this wide as images
RULES = "3"  # change when render_svg changes how it draws, so cached images are drawn again


@dataclass
class RenderStats:
    """How many images a build needed, and how many it had to render."""

    charts: int = 0
    rendered: int = 0


def render_images(specs: dict[str, str], cache_dir: Path) -> tuple[dict[str, Path], RenderStats]:
    """SVG and PNG images for each spec ({output path without extension: spec JSON}), cached or rendered now."""
    import vl_convert

    folder = cache_dir / "images"
    folder.mkdir(parents=True, exist_ok=True)
    version = getattr(vl_convert, "__version__", "unknown")
    keys = {path: image_key(version, spec) for path, spec in specs.items()}
    missing = {key: specs[path] for path, key in keys.items() if not (folder / f"{key}.png").exists()}
    if missing:
        items = sorted(missing.items())
        workers = min(os.cpu_count() or 1, len(items))
        if workers > 1:
            with parallel.pool(workers) as pool:
                images = list(pool.map(render_both, [spec for _, spec in items], chunksize=4))
        else:
            images = [render_both(spec) for _, spec in items]
        for (key, _), (svg, png) in zip(items, images):
            for suffix, content in ((".svg", svg), (".png", png)):  # the PNG last: it marks a complete pair
                tmp = folder / f"{key}{suffix}.tmp{os.getpid()}"
                tmp.write_bytes(content)
                tmp.replace(folder / f"{key}{suffix}")
    out: dict[str, Path] = {}  # the cached files themselves: publish links them into the site
    for path, key in keys.items():
        out[f"{path}.svg"] = folder / f"{key}.svg"
        out[f"{path}.png"] = folder / f"{key}.png"
    return out, RenderStats(charts=len(specs), rendered=len(missing))


def render_both(spec_json: str) -> tuple[bytes, bytes]:
    """The chart as SVG, and as a PNG drawn from that SVG at its own size."""
    import vl_convert

    svg = render_svg(spec_json)
    return svg.encode("utf-8"), bytes(vl_convert.svg_to_png(svg, scale=1))


def image_key(version: str, spec_json: str) -> str:
    """The cache key of a chart image: the renderer's version, our drawing rules and the spec."""
    return hashlib.sha256(f"{version}\n{RULES}\n{spec_json}".encode("utf-8")).hexdigest()


def render_svg(spec_json: str) -> str:
    """One chart as SVG; a chart that fills its container is given a fixed width; no data from the network."""
    import vl_convert

    spec = json.loads(spec_json)
    if spec.get("width") == "container":
        spec["width"] = STATIC_WIDTH
    for layer in spec.get("layer", []):
        if layer.get("width") == "container":
            layer["width"] = STATIC_WIDTH
    # the reader's browser draws the image's text in its own fonts, which may be wider than those measured here:
    # leave room so that long axis labels are not cut off at the left edge
    spec["padding"] = {"left": 48, "right": 12, "top": 6, "bottom": 6}
    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
