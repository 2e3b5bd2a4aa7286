"""Run the stages in order: load, validate, model, compute, pages (charts inside), render, publish."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

from . import assets, parallel
from .compute import compute
from .downloads import computed_table, csv_parts, table_csv, to_json
from .config import Config
from .load import load
from .model import build_model
from .pages import Link, PageBuilder, embed_pages, indicator_slug, page_charts, site_info
from .prerender import render_images
from .problems import BuildFailed, Problem, errors
from .publish import make_zip, publish
from .render import make_environment, render_page
from .validate import cell_checks, combine, first_checks, validate


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

    def timings(self) -> str:
        """One line of stage timings: "load 0.10 s, validate 1.05 s, ..."."""
        return "Stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.stages.items()) + "."

    def line(self) -> str:
        return (f"Built {self.pages} pages, {self.charts} charts ({self.rendered} images rendered) and "
                f"{self.downloads} downloads in {self.seconds:.2f} s"
                + (f" ({len(self.warnings)} warning(s))" if self.warnings else "") + ".")


def check(config: Config) -> list[Problem]:
    """Validate only: every problem in the inputs."""
    return validate(load(config), config.data_dir)


BACKGROUND_BYTES = 1_000_000  # data (CSV bytes) above which checks and downloads also run in a second process


def build(config: Config, strict: bool = False) -> BuildSummary:
    """Build the whole site into `config.out_dir`; raise BuildFailed (writing nothing) if the input has problems.

    Frictionless's cell checks (the slowest check) run in another process while this one builds the site from the
    data the other checks passed; nothing is published until they have passed too. A build that fails on data
    those checks then reject reports the data's problems, not the failure.
    """
    started = time.perf_counter()
    clock = Stopwatch()
    sources = load(config)
    clock.lap("load")
    with contextlib.ExitStack() as stack:
        # a second process pays for itself only on data of some size: starting one takes about a second
        big = sum(path.stat().st_size for path in config.data_dir.rglob("*.csv")) > BACKGROUND_BYTES
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
            files, pages, charts, n_downloads, rendered = make_site(config, sources, clock, pool)
        except Exception:
            verdict()  # the data's problems explain the failure, if it has any
            raise
        problems = verdict()
        clock.lap("cell checks (waited)")
    clock.lap("workers stopped")
    publish(files, config.out_dir)
    clock.lap("publish")
    return BuildSummary(pages, charts, n_downloads, time.perf_counter() - started,
                        [p for p in problems if p.severity == "warning"], rendered, clock.laps)


def make_site(config: Config, sources, clock: "Stopwatch", pool=None) -> tuple[dict[str, bytes], int, int, int, int]:
    """Every file of the site from valid sources: (files by path, pages, charts, downloads, images rendered)."""
    data = build_model(sources)
    comparisons = compute(data, min_events=config.min_events)
    clock.lap("compute")
    files, downloads = download_files(data)
    # the computed downloads are written in the other process, if there is one, while this one builds the pages
    args = (data.areas, data.indicators, comparisons.values)
    computed = pool.submit(computed_files, *args) if pool is not None else computed_files(*args)
    downloads.update(computed_links(data.areas, comparisons.values))
    clock.lap("downloads")
    builder = PageBuilder(data, comparisons, downloads)
    pages = builder.all_pages()
    clock.lap("pages")
    specs = {}
    for page in pages:
        for chart in page_charts(page):
            chart.image, chart.png, chart.data = f"{chart.id}.svg", f"{chart.id}.png", f"{chart.id}.csv"
            chart.spec = f"{chart.id}.vl.json"
            specs[f"{page.path}{chart.id}"] = chart.spec_json
            files[f"{page.path}{chart.spec}"] = chart.spec_json.encode("utf-8")
            files[f"{page.path}{chart.data}"] = table_csv(chart.table.columns, chart.table.rows)
    images, render_stats = render_images(specs, config.cache_dir)
    files.update(images)
    clock.lap("chart images")
    files.update(computed.result() if pool is not None else computed)
    fill_sizes(downloads, files)
    clock.lap("downloads (waited)")
    pages += embed_pages(pages)
    env = make_environment(config.themes_dir, config.theme)
    site = site_info(config, data, config.build_date or data.release_date)
    for page in pages:
        files[f"{page.path}index.html"] = render_page(env, page, site).encode("utf-8")
    files.update(assets.theme_assets(config.themes_dir, config.theme))
    files["assets/vendor/vega-bundle.js"] = assets.vega_bundle(config.cache_dir)
    files["assets/vendor/LICENSES.txt"] = assets.VEGA_LICENCE.encode("utf-8")
    files[".nojekyll"] = b""
    clock.lap("render")
    n_downloads = sum(len(links) for links in downloads.values())
    return files, len(pages), render_stats.charts, n_downloads, render_stats.rendered


class Stopwatch:
    """Seconds spent in each stage: lap(name) closes the stage that began at the previous lap."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now


def download_files(data) -> tuple[dict[str, bytes], dict[str, list[Link]]]:
    """Every package published unchanged under data/<name>/ (descriptor, resources) plus a zip of them."""
    files: dict[str, bytes] = {}
    links: dict[str, list[Link]] = {}
    for package in data.packages:
        members = {"datapackage.json": (package.path / "datapackage.json").read_bytes()}
        for path in package.resource_paths.values():
            members[path] = (package.path / path).read_bytes()
        archive = make_zip({f"{package.name}/{k}": v for k, v in members.items()})
        base = f"data/{package.name}/"
        for name, content in members.items():
            files[base + name] = content
        files[f"{base}{package.name}.zip"] = archive
        links[package.name] = [Link(name, base + name) for name in members]  # sizes: fill_sizes
        links[package.name].append(Link(f"{package.name}.zip", f"{base}{package.name}.zip"))
    return files, links


def computed_files(areas, indicators, values) -> dict[str, bytes]:
    """Values with every computed column: one CSV for everything, and a CSV and JSON per indicator and per ICS.

    Pure (and picklable arguments), so it can run in another process; `computed_links` names the same files.
    """
    table = computed_table(values, areas["short_name"].to_dict())
    by_indicator = table.groupby("indicator_id", sort=True).indices
    # row labels of `table` (a RangeIndex), so they are positions in the whole table
    by_area = {k: v.to_numpy() for k, v in table[table["area_type"] == "icb"].groupby("area_code", sort=True).groups.items()}
    parts = {("all", None): range(len(table))}
    parts.update({("indicator", k): v for k, v in by_indicator.items()})
    parts.update({("area", k): v for k, v in by_area.items()})
    csv = csv_parts(table, parts)
    files = {COMPARISONS_FILE: csv[("all", None)]}
    for ind_id, rows in by_indicator.items():
        base = indicator_file_base(ind_id)
        ind = indicators.loc[ind_id]
        meta = {"indicator_id": ind_id, "title": ind["title"], "unit": ind["unit"], "polarity": ind["polarity"],
                "value_type": ind["value_type"], "multiplier": float(ind["multiplier"]),
                "illustrative": bool(ind["illustrative"]), "source": ind["source"], "package": ind["package"]}
        files[f"{base}.csv"], files[f"{base}.json"] = csv[("indicator", ind_id)], to_json(table.iloc[rows], meta)
    for code in by_area:
        files[area_file(areas.at[code, "slug"])] = csv[("area", code)]
    return files


def computed_links(areas, values) -> dict[str, list[Link]]:
    """Links to the files `computed_files` writes, keyed as the pages look them up; `fill_sizes` adds their sizes."""
    links: dict[str, list[Link]] = {"comparisons": [Link("comparisons.csv", COMPARISONS_FILE)]}
    for ind_id in sorted(set(values["indicator_id"])):
        base = indicator_file_base(ind_id)
        links[f"indicators/{ind_id}"] = [Link(f"{ind_id}.csv", f"{base}.csv"), Link(f"{ind_id}.json", f"{base}.json")]
    for code in sorted(set(values.loc[values["area_type"] == "icb", "area_code"])):
        path = area_file(areas.at[code, "slug"])
        links[f"ics/{code}"] = [Link(path.rsplit("/", 1)[1], path)]
    return links


COMPARISONS_FILE = "data/comparisons.csv"


def indicator_file_base(ind_id: str) -> str:
    """Where an indicator's computed CSV and JSON go, without the extension."""
    return f"indicators/{indicator_slug(ind_id)}/{ind_id}"


def area_file(slug: str) -> str:
    """Where an ICS's computed CSV goes."""
    return f"ics/{slug}/{slug}.csv"


def fill_sizes(links: dict[str, list[Link]], files: dict[str, bytes]) -> None:
    """Each download link's note: the size of its file (which must exist)."""
    for group in links.values():
        for link in group:
            link.note = human_size(len(files[link.href]))


def human_size(n: int) -> str:
    """1.2 MB, 34 kB, 512 bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"
