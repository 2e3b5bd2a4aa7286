"""Scheduling the static images of a build's charts: which charts get one (the `images` setting), the cache, and
the processes that draw them while the build goes on (`Drawing`). How one image is drawn is `images`.
"""

from __future__ import annotations

import os
from concurrent import futures
import weakref
from dataclasses import dataclass
from pathlib import Path

from icsite.charts.variants import phone_image, phone_json
from icsite.charts.images import draw, font_folder, image_key, uncovered, use_fonts, warn_uncovered
from icsite.core import parallel
from icsite.core.config import IMAGE_MODES  # an SVG for every chart, for each page's first only, or none


@dataclass
class RenderStats:
    """How many images a build needed, and how many it had to render."""

    charts: int = 0
    rendered: int = 0


def chart_images(pages, charts_of, mode: str, cache_dir: Path, wait: bool = True):
    """The static images of every page's charts, as `mode` (one of IMAGE_MODES) says, by site path, with
    RenderStats; with `wait=False`, the `Drawing` that makes them while the build goes on (its `result()` waits).
    `charts_of(page)` lists a page's charts in page order (see `Drawing.add`)."""
    drawing = Drawing(cache_dir)
    for page in pages:
        drawing.add(page, charts_of(page), mode)
    return drawing.result() if wait else drawing


def render_images(specs: dict[str, str], cache_dir: Path, png=None) -> tuple[dict[str, Path], RenderStats]:
    """An SVG for each spec ({site path without extension: spec JSON}), and a PNG beside it for the paths in
    `png` (default: all of them); each cached or rendered now."""
    wanted = set(specs) if png is None else set(png)
    return render({f"{path}.svg": (spec, f"{path}.png" if path in wanted else "") for path, spec in specs.items()},
                  cache_dir)


def render(requests: dict[str, tuple[str, str]], cache_dir: Path) -> tuple[dict[str, Path], RenderStats]:
    """Images by site path, from {SVG path: (spec JSON, PNG path or "")}: the cached files, rendered now if missing."""
    drawing = Drawing(cache_dir)
    drawing.submit(requests)
    return drawing.result()


class Drawing:
    """Chart images drawn in other processes while the build goes on, as it hands over each page's charts
    (`add`) or requests (`submit`); `result` waits for the last.

    The SVG and the PNG of a spec are cached apart (`<key>.svg`, `<key>.png`), so a chart whose PNG is wanted later
    draws only the PNG, from its cached SVG. The missing ones are drawn in parallel, one process per processor;
    which process draws which chart changes no byte (`stable_ids`). Each image is written to the cache as soon as it
    is drawn, and no more than a few charts per process wait their turn (`add` waits for the oldest beyond that), so
    the memory this takes does not grow with the number of charts.
    """

    def __init__(self, cache_dir: Path):
        import vl_convert

        self.folder = cache_dir / "images"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.version = getattr(vl_convert, "__version__", "unknown")
        self.fonts = str(font_folder(cache_dir))
        self.workers = parallel.processors()
        self.pool = None  # started with the first chart to draw
        self.waiting: dict[str, tuple[object, bool]] = {}  # key -> (the drawing: a future or its job, PNG too)
        self.out: dict[str, Path] = {}  # site path -> the cached file: publish copies it into the site
        self.missing: set[str] = set()  # characters of charts drawn that our font lacks
        self.stats = RenderStats()

    def add(self, page, charts: list, mode: str) -> None:
        """Draw the images of one page's `charts` (in page order), as `mode` (one of IMAGE_MODES) says.

        A chart gets an SVG if it names one (`image`) and `mode` allows it; one that gets none has its `image` and
        `png` cleared (its page then shows its table instead), and a page whose link-preview PNG is not made loses
        its `image`. A PNG is made only for charts whose `png` is set and that have an SVG.
        """
        if mode not in IMAGE_MODES:
            raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, not {mode!r}")
        requests: dict[str, tuple[str, str]] = {}  # the SVG's site path -> (spec, the PNG's site path or "")
        made = set()
        for n, chart in enumerate(charts):
            self.stats.charts += 1
            if mode == "none" or (mode == "first" and n > 0) or not chart.image:
                chart.image = chart.png = ""
                continue
            requests[page.path + chart.image] = (chart.spec_json, page.path + chart.png if chart.png else "")
            # its layout for a phone too, which the page serves to narrow screens (<picture>)
            requests[page.path + phone_image(chart.image)] = (phone_json(chart.spec_json), "")
            if chart.png:
                made.add(page.path + chart.png)
        if getattr(page, "image", "") and page.image not in made and page.image.endswith(".png"):
            page.image = ""
        self.submit(requests)

    def submit(self, requests: dict[str, tuple[str, str]]) -> None:
        """Draw the images of {SVG site path: (spec JSON, PNG site path or "")} that the cache does not hold."""
        for svg, (spec, png) in requests.items():
            key = image_key(self.version, spec)
            self.out[svg] = self.folder / f"{key}.svg"
            if png:
                self.out[png] = self.folder / f"{key}.png"
            before = self.waiting.get(key)
            if before is not None and (before[1] or not png):
                continue  # being drawn already, with all that is wanted of it
            have_svg = (self.folder / f"{key}.svg").exists()
            want_png = bool(png) and not (self.folder / f"{key}.png").exists()
            if have_svg and not want_png:
                continue
            cached = (self.folder / f"{key}.svg").read_text(encoding="utf-8") if have_svg else None
            if cached is None:
                self.missing |= uncovered(spec)
            self.stats.rendered += 1
            job = (spec, cached, want_png)
            if self.workers > 1:
                self.start()
                self.waiting[key] = (self.pool.submit(draw, job, self.fonts), want_png)
                self.collect(limit=4 * self.workers)
            else:
                self.waiting[key] = (job, want_png)

    def start(self) -> None:
        """Start the drawing processes now (if not yet), each readying its renderer (fonts, time zone), so that the
        first charts do not wait for them: a build calls this before it waits for something else."""
        if self.pool is None and self.workers > 1:
            self.pool = parallel.pool(self.workers)
            # a build that fails before `result` stops the drawing all the same (the pool, not self, is held)
            weakref.finalize(self, self.pool.shutdown, wait=False, cancel_futures=True)
            for _ in range(self.workers):
                self.pool.submit(use_fonts, Path(self.fonts))

    def collect(self, limit: int = 0) -> None:
        """Write the images drawn so far to the cache; while more than `limit` are waiting, wait for whichever is
        drawn first (not the oldest: a slow chart would leave the other processes idle behind it)."""
        while True:
            for key in [k for k, (drawing, _) in self.waiting.items() if isinstance(drawing, tuple) or drawing.done()]:
                drawing, _ = self.waiting.pop(key)
                svg, png = drawing.result() if not isinstance(drawing, tuple) else draw(drawing, self.fonts)
                for suffix, content in ((".svg", svg), (".png", png)):
                    if content is not None:
                        tmp = self.folder / f"{key}{suffix}.tmp{os.getpid()}"
                        tmp.write_bytes(content)
                        tmp.replace(self.folder / f"{key}{suffix}")
            if len(self.waiting) <= limit:
                return
            futures.wait([drawing for drawing, _ in self.waiting.values()], return_when=futures.FIRST_COMPLETED)

    def result(self) -> tuple[dict[str, Path], RenderStats]:
        """The images as paths in the cache, once all are drawn, by site path; and how many were drawn."""
        try:
            self.collect()
        finally:
            self.stop()
        if self.missing:
            warn_uncovered(["".join(sorted(self.missing))])
        return dict(self.out), self.stats

    def stop(self) -> None:
        """Stop the drawing processes (any drawing still waiting is dropped)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
