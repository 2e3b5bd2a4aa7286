"""Run the stages in order: load, validate, model, compute, pages (charts inside), render, publish."""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import assets
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
from .validate import validate


@dataclass
class BuildSummary:
    """What a build produced, for the one-line summary."""

    pages: int
    charts: int
    downloads: int
    seconds: float
    warnings: list[Problem]
    rendered: int = 0  # chart images rendered this time (the rest came from the cache)

    def line(self) -> str:
        return (f"Built {self.pages} pages, {self.charts} charts ({self.rendered} images rendered) and "
                f"{self.downloads} downloads in {self.seconds:.2f} s"
                + (f" ({len(self.warnings)} warning(s))" if self.warnings else "") + ".")


def check(config: Config) -> list[Problem]:
    """Validate only: every problem in the inputs."""
    return validate(load(config), config.data_dir)


def build(config: Config, strict: bool = False) -> BuildSummary:
    """Build the whole site into `config.out_dir`; raise BuildFailed (writing nothing) if the input has problems."""
    started = time.perf_counter()
    sources = load(config)
    problems = validate(sources, config.data_dir)
    if errors(problems, strict):
        raise BuildFailed(problems)
    data = build_model(sources)
    comparisons = compute(data, min_events=config.min_events)
    files, downloads = download_files(data)
    computed, computed_links = computed_files(data, comparisons)
    files.update(computed)
    downloads.update(computed_links)
    builder = PageBuilder(data, comparisons, downloads)
    pages = builder.all_pages()
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
    pages += embed_pages(pages)
    env = make_environment(config.themes_dir, config.theme)
    site = site_info(config, data, config.build_date or data.release_date)
    for page in pages:
        files[f"{page.path}index.html"] = render_page(env, page, site).encode("utf-8")
    files.update(assets.theme_assets(config.themes_dir, config.theme))
    files["assets/vendor/vega-bundle.js"] = assets.vega_bundle(config.cache_dir)
    files["assets/vendor/LICENSES.txt"] = assets.VEGA_LICENCE.encode("utf-8")
    files[".nojekyll"] = b""
    publish(files, config.out_dir)
    n_downloads = sum(len(links) for links in downloads.values())
    return BuildSummary(len(pages), render_stats.charts, n_downloads, time.perf_counter() - started,
                        [p for p in problems if p.severity == "warning"], render_stats.rendered)


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
        links[package.name] = [Link(name, base + name, human_size(len(content))) for name, content in members.items()]
        links[package.name].append(Link(f"{package.name}.zip", f"{base}{package.name}.zip", human_size(len(archive))))
    return files, links


def computed_files(data, comparisons) -> tuple[dict[str, bytes], dict[str, list[Link]]]:
    """Values with every computed column: one CSV for everything, and a CSV and JSON per indicator and per ICS."""
    names = data.areas["short_name"].to_dict()
    table = computed_table(comparisons.values, names)
    by_indicator = table.groupby("indicator_id", sort=True).indices
    # row labels of `table` (a RangeIndex), so they are positions in the whole table
    by_area = {k: v.to_numpy() for k, v in table[table["area_type"] == "icb"].groupby("area_code", sort=True).groups.items()}
    parts = {("all", None): range(len(table))}
    parts.update({("indicator", k): v for k, v in by_indicator.items()})
    parts.update({("area", k): v for k, v in by_area.items()})
    csv = csv_parts(table, parts)
    files = {"data/comparisons.csv": csv[("all", None)]}
    links: dict[str, list[Link]] = {"comparisons": [Link("comparisons.csv", "data/comparisons.csv",
                                                         human_size(len(files["data/comparisons.csv"])))]}
    for ind_id, rows in by_indicator.items():
        base = f"indicators/{indicator_slug(ind_id)}/{ind_id}"
        ind = data.indicators.loc[ind_id]
        meta = {"indicator_id": ind_id, "title": ind["title"], "unit": ind["unit"], "polarity": ind["polarity"],
                "value_type": ind["value_type"], "multiplier": float(ind["multiplier"]),
                "illustrative": bool(ind["illustrative"]), "source": ind["source"], "package": ind["package"]}
        files[f"{base}.csv"], files[f"{base}.json"] = csv[("indicator", ind_id)], to_json(table.iloc[rows], meta)
        links[f"indicators/{ind_id}"] = [Link(f"{ind_id}.csv", f"{base}.csv", human_size(len(files[f"{base}.csv"]))),
                                         Link(f"{ind_id}.json", f"{base}.json", human_size(len(files[f"{base}.json"])))]
    for code in by_area:
        slug = data.areas.at[code, "slug"]
        path = f"ics/{slug}/{slug}.csv"
        files[path] = csv[("area", code)]
        links[f"ics/{code}"] = [Link(f"{slug}.csv", path, human_size(len(files[path])))]
    return files, links


def human_size(n: int) -> str:
    """1.2 MB, 34 kB, 512 bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"
