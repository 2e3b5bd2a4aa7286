"""Run the stages in order: load, validate, model, compute, pages (charts inside), render, pdf (with --pdf),
publish."""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field

from icsite.outputs import assets, pdf
from icsite.core import cache, parallel
from icsite.compute.comparisons import compute
from icsite.datasets.files import (Credit, DataJob, cached_data_files, cached_data_files_from, data_links,
                                   fill_sizes, job_file)
from icsite.datasets.tables import table_csv
from icsite.datasets.releases import Release, releases, snapshot_table
from icsite.core.config import Config
from icsite.inputs.load import load
from icsite.inputs.model import build_model
from icsite.pages.data import change_sentences, checksum_rows, data_pages, releases_json
from icsite.outputs.feeds import area_feed, robots, site_feed, sitemap, story_entry
from icsite.pages.builder import PageBuilder
from icsite.pages.pack import pack_pdf_path
from icsite.pages.contexts import EmbedPage, ProfilePage, ReleasePage
from icsite.pages.embed import embed_pages
from icsite.pages.figures import page_charts
from icsite.pages.site import not_found_page, site_info
from icsite.charts.drawing import Drawing
from icsite.core.problems import BuildFailed, Problem, errors
from icsite.core.display import size_text
from icsite.publish.folder import SiteFiles, publish, record_file, site_bytes, spool_folder
from icsite.pages.render import make_environment, render_page
from icsite.outputs.search import search_index
from icsite.inputs.validate import cell_checks, combine, first_checks, validate


@dataclass
class BuildSummary:
    """What a build produced, for the one-line summary."""

    pages: int
    charts: int
    downloads: int
    seconds: float
    warnings: list[Problem]
    rendered: int = 0  # chart images rendered this time (the rest came from the cache)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in order
    listing: dict = field(default_factory=dict)  # the published site's files: {path: [size, mtime, type]}

    def timings(self) -> str:
        """One line of stage timings: "load 0.10 s, validate 1.05 s, ..."."""
        return "Stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.stages.items()) + "."

    def line(self) -> str:
        return (f"Built {self.pages} pages, {self.charts} charts ({self.rendered} images rendered) and "
                f"{self.downloads} downloads ({size_text(site_bytes(self.listing))}) in {self.seconds:.2f} s"
                + (f" ({len(self.warnings)} warning(s))" if self.warnings else "") + ".")


def check(config: Config) -> list[Problem]:
    """Validate only: every problem in the inputs."""
    return validate(load(config), config.data_dir)


BACKGROUND_BYTES = 1_000_000  # data (CSV bytes) above which checks and downloads also run in a second process


def build(config: Config, strict: bool = False, fingerprint: str | None = None) -> BuildSummary:
    """Build the whole site into `config.out_dir`; raise BuildFailed (writing nothing) if the input has problems.

    Frictionless's cell checks (the slowest check) run in another process while this one builds the site from the
    data the other checks passed; nothing is published until they have passed too. A build that fails on data
    those checks then reject reports the data's problems, not the failure. The site is published with a record of
    `fingerprint` (the inputs' hash, taken before anything is read; see `cache.fingerprint`) and of this summary, so
    that the next build from the same inputs can skip the work (see `build.py`'s `--force`).
    """
    started = time.perf_counter()
    if config.pdf and (missing := pdf.unavailable()) is not None:
        raise BuildFailed([missing])  # before anything is read or written
    fingerprint = fingerprint or cache.fingerprint(config)
    clock = Stopwatch(sys.stderr if not config.quiet and sys.stderr.isatty() else None)
    try:
        return build_site(config, strict, clock, started, fingerprint)
    finally:
        clock.clear()


def build_site(config: Config, strict: bool, clock: "Stopwatch", started: float, fingerprint: str) -> BuildSummary:
    """The build (see `build`), timed by `clock`."""
    drawing = Drawing(config.cache_dir)  # the images of each page's charts (as --images says)
    if config.images != "none":
        drawing.start()  # its processes get ready while the data are read, checked and computed
    if drawing.pool is not None:  # and one makes the Vega bundle meanwhile, into the cache, where `assets` finds it
        drawing.pool.submit(assets.vega_bundle, config.cache_dir)
    sources = load(config)
    clock.lap("load")
    spool = spool_folder(config.out_dir)  # the new site, written as it is made; swapped in when complete
    try:
        return build_into(config, strict, clock, started, fingerprint, sources, spool, drawing)
    finally:
        shutil.rmtree(spool, ignore_errors=True)  # a build that failed: nothing of it is left


def build_into(config: Config, strict: bool, clock: "Stopwatch", started: float, fingerprint: str, sources,
               spool, drawing: Drawing) -> BuildSummary:
    """The build from loaded `sources`, its files written into the `spool` folder, which publish swaps in."""
    with contextlib.ExitStack() as stack:
        # a second process pays for itself only on data of some size: starting one takes about a second
        csv_bytes = sum(path.stat().st_size for path in config.data_dir.rglob("*.csv") if path.is_file())
        big = csv_bytes > BACKGROUND_BYTES
        pool = stack.enter_context(parallel.pool(1)) if big and parallel.processors() > 1 else None
        cells = cell_checks(sources, config.data_dir, pool)
        findings = first_checks(sources, config.data_dir)
        clock.lap("validate")

        def verdict() -> list[Problem]:
            problems = combine(findings, cells)
            if errors(problems, strict):
                raise BuildFailed(problems)
            return problems

        if findings.failed:
            verdict()
        try:
            made = make_site(config, sources, clock, pool, spool, drawing=drawing)
        except Exception:
            verdict()  # the data's problems explain the failure, if it has any
            raise
        problems = verdict()
        clock.lap("cell checks (waited)")
    clock.lap("workers stopped")
    warnings = [p for p in problems if p.severity == "warning"]
    if config.pdf:  # each pack laid out as a PDF from its page (and the files it shows), as the site now has them
        jobs = pdf.pack_jobs([page.path for page in made.pages], pack_pdf_path)
        pdfs, unread = pdf.pack_pdfs(jobs, made.files, spool, config.canonical_root, config.cache_dir)
        made.files.update(pdfs)
        made.downloads += len(pdfs)
        if errors(unread, strict):  # --strict: a pack that shows a file the site lacks fails the build
            raise BuildFailed(warnings + unread)
        warnings += unread
        clock.lap("pdf")
    facts = {"fingerprint": fingerprint, "pages": len(made.pages), "charts": made.charts, "downloads": made.downloads,
             "warnings": [asdict(p) for p in warnings]}
    listing = publish(made.files, config.out_dir, (record_file(config.cache_dir, config.out_dir), facts))
    clock.lap("publish")
    return BuildSummary(len(made.pages), made.charts, made.downloads, time.perf_counter() - started, warnings,
                        made.rendered, clock.laps, listing)


@dataclass
class SiteBuild:
    """A site made: its files, and what `serve` needs to re-render pages without rebuilding."""

    files: SiteFiles  # site path -> bytes, or the Path of a cached (or spooled) file to publish unchanged
    pages: list  # every page context (when kept: see `make_site`), else each page's `Outline`
    builder: PageBuilder
    env: object  # the Jinja environment
    site: object  # the SiteInfo every page shares
    charts: int = 0
    downloads: int = 0
    rendered: int = 0  # chart images rendered by this build

    def render(self, page) -> None:
        """(Re-)render one page into the files."""
        self.files.replace(f"{page.path}index.html", render_page(self.env, page, self.site).encode("utf-8"))


@dataclass(frozen=True)
class Outline:
    """What the build still needs of a page once it is rendered: its address, and a profile's area and feed."""

    path: str
    indexed: bool
    embed: bool = False
    area: tuple[str, str] | None = None  # a profile's (code, short name)
    feed: str = ""

    @classmethod
    def of(cls, page) -> "Outline":
        area = (page.area["code"], page.area["short_name"]) if isinstance(page, ProfilePage) else None
        return cls(page.path, page.indexed, isinstance(page, EmbedPage), area, page.feed)


def make_site(config: Config, sources, clock: "Stopwatch", pool=None, spool=None, keep_pages: bool = False,
              drawing: Drawing | None = None) -> "SiteBuild":
    """Every file of the site from valid sources, into `spool` as they are made (or held in memory without one:
    `publish` writes them).

    Each page is rendered as soon as it is built, with its embed pages, and then only its `Outline` is kept (its
    whole context with `keep_pages`, as `serve` needs): the memory a build takes does not grow with its pages.
    Pages show the sizes of the data files they link to, so they are rendered once those files are made (in the
    other process, if there is one); up to HELD_PAGES of them are built meanwhile, their chart images drawing in
    other processes.
    """
    files = SiteFiles(spool)
    data = build_model(sources)
    comparisons = compute(data, min_events=config.min_events)
    clock.lap("compute")
    credit = Credit(config.publisher, config.title, config.canonical_root)
    job = DataJob(data.areas, data.indicators, comparisons.values, package_releases(data, comparisons), credit,
                  config.build_date or data.release_date)
    made = (pool.submit(cached_data_files_from, job_file(job, config.cache_dir), config.cache_dir)
            if pool is not None else cached_data_files(job, config.cache_dir))
    downloads = data_links(job)
    if drawing is None:
        drawing = Drawing(config.cache_dir)  # the images of each page's charts (as --images says), drawn meanwhile
    if config.images != "none":
        drawing.start()  # its processes get ready while the data files are made (if they are not ready already)
    builder = PageBuilder(data, comparisons, downloads, config.images, packs=config.packs, pdf=config.pdf)
    env = make_environment(config.themes_dir, config.theme)
    site = site_info(config, data, config.build_date or data.release_date)
    clock.lap("downloads")
    pages: list = []
    held: list = []  # pages built while the data files are made: rendered once their sizes are known
    waiting = True

    def data_files_ready() -> None:
        clock.lap("pages")
        files.update(made.result() if pool is not None else made)
        fill_sizes(downloads, files)
        clock.lap("downloads (waited)")

    for page in builder.pages():  # each complete: its charts' files, link preview and feed
        charts = page_charts(page)
        for chart in charts:
            files[f"{page.path}{chart.spec}"] = chart.spec_json.encode("utf-8")
            files[f"{page.path}{chart.data}"] = table_csv(chart.table.columns, chart.table.rows)
        drawing.add(page, charts, config.images)  # its images are drawn meanwhile
        held.append(page)
        if waiting and (pool is None or made.done() or len(held) >= HELD_PAGES):
            data_files_ready()
            waiting = False
        if not waiting:
            render_pages(held, env, site, files, pages, keep_pages)
    if waiting:  # fewer pages than HELD_PAGES, all built before the data files were made
        data_files_ready()
        render_pages(held, env, site, files, pages, keep_pages)
    clock.lap("pages")
    data_set_pages = data_pages(job.releases, downloads, credit, comparisons.values, data.indicators, data.areas)
    for page in data_set_pages:
        if isinstance(page, ReleasePage):
            checksum_rows(page, files)
        files[f"{page.path}index.html"] = render_page(env, page, site).encode("utf-8")
    pages += data_set_pages if keep_pages else [Outline.of(p) for p in data_set_pages]
    files.update(feed_files(data, comparisons, job, pages, config))
    files.update(builder.files())  # the place index of the search as you type
    clock.lap("render")
    indexed = {f"{p.path}index.html": files[f"{p.path}index.html"] for p in pages if p.indexed}
    files.update(search_index(indexed, config.cache_dir))
    clock.lap("search index")
    images, render_stats = drawing.result()
    files.update(images)
    clock.lap("chart images (waited)")
    files["404.html"] = render_page(env, not_found_page(), site).encode("utf-8")
    files.update(assets.theme_assets(config.themes_dir, config.theme))
    files["assets/vendor/vega-bundle.js"] = assets.vega_bundle(config.cache_dir)
    files["assets/vendor/LICENSES.txt"] = assets.VEGA_LICENCE.encode("utf-8")
    files[".nojekyll"] = b""
    clock.lap("assets")
    n_downloads = sum(len(links) for links in downloads.values())
    return SiteBuild(files, pages, builder, env, site, render_stats.charts, n_downloads, render_stats.rendered)


#: pages built (their charts' images drawing) while the data files are still being made, before the build waits
#: for them: enough to keep every processor busy meanwhile, few enough that memory does not grow with the site
HELD_PAGES = 64


def render_pages(held: list, env, site, files: SiteFiles, pages: list, keep_pages: bool) -> None:
    """Render the `held` pages and their embed pages into `files`, keep each (or its `Outline`) in `pages`, and
    empty `held`."""
    for page in held:
        for one in [page] + embed_pages([page]):
            files[f"{one.path}index.html"] = render_page(env, one, site).encode("utf-8")
            pages.append(one if keep_pages else Outline.of(one))
    held.clear()


def feed_files(data, comparisons, job: DataJob, pages, config: Config) -> dict[str, bytes]:
    """feed.xml, a feed per ICS, api/v1/releases.json, robots.txt and (when the site's address is known) sitemap.xml,
    from the pages (contexts or `Outline`s)."""
    root, credit = job.credit.root, job.credit
    titles = {name: rels[-1].descriptor.get("title") or name for name, rels in job.releases.items()}
    names = data.areas["short_name"].to_dict()
    told: dict[str, list] = {}  # board -> its stories' feed entries
    for story in data.stories:
        told.setdefault(story.board, []).append(story_entry(story, names[story.board]))
    files = {"feed.xml": site_feed(job.releases, titles, change_sentences, root, config.title, credit.publisher,
                                   [e for entries in told.values() for e in entries]),
             "api/v1/releases.json": releases_json(job.releases), "robots.txt": robots(root)}
    values = comparisons.values
    package_of = values["indicator_id"].map(data.indicators["package"])
    packages_by_area = package_of.groupby(values["area_code"]).agg(lambda s: set(s)).to_dict()
    outlines = [p if isinstance(p, Outline) else Outline.of(p) for p in pages]
    for page in outlines:
        if page.area is not None:  # a profile: its feed's address is the page's own (`page.feed`)
            (code, short_name), slug = page.area, page.path.split("/")[1]
            files[page.feed] = area_feed(code, short_name, slug, job.releases, titles,
                                         packages_by_area.get(code, set()), root, config.title, credit.publisher,
                                         told.get(code, []))
    if root:
        day = (config.build_date or data.release_date).isoformat()
        files["sitemap.xml"] = sitemap([p.path for p in outlines if not p.embed], root, day)
    return files


def package_releases(data, comparisons) -> dict[str, list[Release]]:
    """Every release of every package, with what changed: the current one compared with those kept in the repository."""
    return {package.name: releases(package.path, package.name, package.descriptor,
                                   snapshot_table(data.of_package(comparisons.values, package.name)))
            for package in data.packages}


#: the stages a build's Stopwatch passes, in order (for the progress bar)
STAGES = ["load", "validate", "compute", "downloads", "pages", "chart images", "downloads (waited)", "render",
          "search index", "chart images (waited)", "assets", "cell checks (waited)", "workers stopped", "pdf",
          "publish"]


class Stopwatch:
    """Seconds spent in each stage: lap(name) closes the stage that began at the previous lap. With `progress`
    (a terminal's stream), it also draws a progress bar there, erased when the build ends."""

    def __init__(self, progress=None):
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()
        self.progress = progress

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last  # a stage may come back: its laps add up
        self.last = now
        if self.progress is not None:
            done = STAGES.index(name) + 1 if name in STAGES else len(self.laps)
            width = 24
            filled = round(width * done / len(STAGES))
            line = f"\rBuilding [{'#' * filled}{'.' * (width - filled)}] {name} done"
            self.progress.write(line.ljust(60))
            self.progress.flush()

    def clear(self) -> None:
        """Erase the progress bar (at the end of a build, or before its report of problems)."""
        if self.progress is not None:
            self.progress.write("\r" + " " * 60 + "\r")
            self.progress.flush()
