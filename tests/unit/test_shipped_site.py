"""The shipped data: valid packages, real registry facts, and every page and download the site promises."""

import csv
import json
from pathlib import Path

import pytest
from frictionless import validate


ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "datapackages"


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def site(shipped_site) -> Path:
    """The shipped site, built once per session (tests/conftest.py)."""
    return shipped_site


@pytest.mark.parametrize("package", sorted(p.name for p in DATA.iterdir() if (p / "datapackage.json").exists()))
def test_shipped_package_is_valid(package):
    report = validate(str(DATA / package / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:10]


def test_registry_holds_both_generations_of_boards():
    areas = rows(DATA / "areas" / "areas.csv")
    icbs = [a for a in areas if a["type"] == "icb"]
    on = lambda day: {a["ods_code"] for a in icbs if a["valid_from"] <= day and (not a["valid_to"] or a["valid_to"] >= day)}  # noqa: E731
    assert len(on("2022-07-01")) == 42 and len(on("2026-04-01")) == 36
    assert len([a for a in areas if a["type"] == "region"]) == 7
    assert [a["code"] for a in areas if a["type"] == "country"] == ["E92000001"]


def test_at_least_thirty_indicators_in_four_packages():
    packages = [p for p in DATA.iterdir() if (p / "indicators.csv").exists()]
    assert len(packages) >= 4
    assert sum(len(rows(p / "indicators.csv")) for p in packages) >= 30


def test_every_page_and_download_exists(site):
    areas = {a["code"]: a for a in rows(DATA / "areas" / "areas.csv")}
    with_data, indicators = set(), []
    for package in DATA.iterdir():
        if (package / "values.csv").exists():
            with_data |= {r["area_code"] for r in rows(package / "values.csv") if areas[r["area_code"]]["type"] == "icb"}
            indicators += [r["id"] for r in rows(package / "indicators.csv")]
            version = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["version"]
            for name in ("datapackage.json", "indicators.csv", "values.csv", f"{package.name}.xlsx", "README.txt",
                         "SHA256SUMS", "index.html"):
                assert (site / "data" / package.name / version / name).is_file(), (version, name)
            assert (site / "data" / package.name / "index.html").is_file()
            # latest/ is a page that leads to the current release, not a copy of it
            assert [p.name for p in (site / "data" / package.name / "latest").iterdir()] == ["index.html"]
    assert len(with_data) == 51  # 42 boards of 2022 (two with an older code too) and the 7 new codes of 2026
    for code in with_data:
        slug = areas[code]["slug"]
        for name in ("index.html", f"{slug}-latest.csv", f"{slug}-latest.xlsx", "feed.xml"):
            assert (site / "ics" / slug / name).is_file(), (code, name)
        assert (site / "api" / "v1" / "areas" / f"{code}.json").is_file(), code
    for ind in indicators:
        for name in ("index.html", f"{ind}-latest.csv", f"{ind}-latest.xlsx"):
            assert (site / "indicators" / ind.replace("_", "-") / name).is_file(), (ind, name)
        assert not (site / "indicators" / ind.replace("_", "-") / f"{ind}.json").exists()  # the API holds it
        assert (site / "api" / "v1" / "indicators" / f"{ind}.json").is_file(), ind
    for page in ("index.html", "ics/index.html", "indicators/index.html", "data/index.html", "about/index.html",
                 "methodology/index.html", "data-standard/index.html", "assets/vendor/vega-bundle.js", "api/index.html",
                 "api/v1/areas.json", "api/v1/indicators.json", "api/v1/releases.json",
                 "feed.xml", "robots.txt", "404.html", ".nojekyll"):
        assert (site / page).is_file(), page


def test_closed_board_links_to_its_successor(site):
    html = (site / "ics" / "surrey-heartlands" / "index.html").read_text(encoding="utf-8")
    assert "closed on 31 March 2026" in html and 'href="../surrey-and-sussex/"' in html
    new = (site / "ics" / "surrey-and-sussex" / "index.html").read_text(encoding="utf-8")
    assert "took over on 1 April 2026" in new and 'href="../surrey-heartlands/"' in new


def test_illustrative_values_are_labelled_on_every_page(site):
    indicators = json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    real = tuple(f"/{i['page']}" for i in indicators if not i["illustrative"])  # the indicators with real values
    assert real
    unlabelled = []
    for page in sorted(site.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        if '<body class="embed">' in html:  # a chart alone: labelled with what its values are
            tag = "Official statistics" if any(r in page.as_posix() for r in real) else "Illustrative values"
            if tag not in html:
                unlabelled.append(page)
        elif "Illustrative data." not in html:
            unlabelled.append(page)
    assert unlabelled == []


def test_no_page_references_another_host_for_assets(site):
    import re
    pattern = re.compile(r'<(?:script|img|link|iframe)[^>]+(?:src|href)="(?:https?:)?//', re.I)
    offenders = [p for p in site.rglob("*.html") if pattern.search(p.read_text(encoding="utf-8"))]
    canonical = [p for p in offenders if 'rel="canonical"' in p.read_text(encoding="utf-8")]
    assert offenders == canonical == []


def test_every_computed_column_is_published(site):
    import pandas as pd

    from icsite.compute.comparisons import PUBLISHED_COLUMNS

    table = pd.read_csv(site / "indicators" / "ae-4hr" / "ae_4hr-latest.csv", dtype=str, keep_default_na=False)
    for column in ["indicator_id", "area_code", "period", "value", "lower_ci", "upper_ci"] + PUBLISHED_COLUMNS:
        assert column in table.columns, column
    assert set(table["indicator_id"]) == {"ae_4hr"} and table["period"].nunique() == 1  # the latest period
    icb = table[table["area_type"] == "icb"]
    assert (icb["rank"] != "").all() and (icb["rank_lowest"] != "").all() and len(icb) >= 30  # boards then
    api = json.loads((site / "api" / "v1" / "indicators" / "ae_4hr.json").read_text(encoding="utf-8"))
    every = pd.DataFrame(api["rows"], columns=api["columns"])
    # every period, every column but the two said once: the indicator (meta) and the area's peer group (areas.json)
    assert list(every.columns) == [c for c in table.columns if c not in ("indicator_id", "peer_group")]
    months = {r["period"] for r in rows(DATA / "ae-monthly" / "values.csv") if r["indicator_id"] == "ae_4hr"}
    assert api["meta"]["indicator_id"] == "ae_4hr" and every["period"].nunique() == len(months) > 1
    devon = pd.read_csv(site / "ics" / "devon" / "devon-latest.csv", dtype=str, keep_default_na=False)
    assert set(devon["area_code"]) == {"E54000037"} and len(devon) == devon["indicator_id"].nunique() >= 30
    assert set(devon["peer_group"]) != {""}
    assert not (site / "data" / "comparisons.csv").exists()  # the indicators' API files are the one home
    listed = json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    every_row = sum(len(json.loads((site / i["values"]).read_text(encoding="utf-8"))["rows"]) for i in listed)
    assert every_row == sum(len(pd.read_csv(p, dtype=str)) for p in (ROOT / "datapackages").glob("*/values.csv"))
    data_page = (site / "data" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../{i["values"]}"' in data_page for i in listed)  # the data page links every one


def test_profiles_show_comparison_rank_range_trend_and_peers(site):
    html = (site / "ics" / "devon" / "index.html").read_text(encoding="utf-8")
    for text in ("Compared with England", "could be", "Direction of travel", "Similar systems and systems to learn from",
                 "most similar first", "devon-latest.csv"):
        assert text in html, text
    page = (site / "indicators" / "ae-4hr" / "index.html").read_text(encoding="utf-8")
    for text in ("Compared with England (99.8%)", "Rank could be", "Most improved", "met the target", "ae_4hr-latest.csv"):
        assert text in page, text


def test_no_page_offers_a_closed_board_as_a_peer_or_a_system_to_learn_from(site):
    from bs4 import BeautifulSoup

    areas = json.loads((site / "api" / "v1" / "areas.json").read_text(encoding="utf-8"))["areas"]
    closed = {a["profile"].strip("/").split("/")[-1] for a in areas if a["valid_to"] and a["profile"]}
    assert len(closed) >= 10  # the boards closed in April 2026 (and before)
    offered, checked = [], 0
    for page in sorted(site.glob("ics/*/index.html")) + sorted(site.glob("indicators/*/index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for section in ("peers", "improved"):  # the profile's peers and systems to learn from; "Most improved"
            heading = soup.find(id=section)
            if heading is None:
                continue
            checked += 1
            for link in heading.find_parent("section").find_all("a", href=True):
                target = link["href"].rstrip("/").split("/")[-1]
                if "/ics/" in f"/{link['href']}" and target in closed:
                    offered.append((str(page.relative_to(site)), section, target))
    assert checked > 80 and offered == []
    devon = BeautifulSoup((site / "ics" / "devon" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "significantly better than Devon" in devon.find(id="peers").find_parent("section").get_text(" ")


def test_no_count_is_ranked_best_to_worst(site):
    indicators = json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    counts = [i for i in indicators if i["value_type"] == "count"]
    assert {i["polarity"] for i in counts} >= {"low_is_good", "high_is_good"}  # judged, yet counts
    for ind in counts:
        folder = site / ind["page"]
        ranked = json.loads((folder / "ranked.vl.json").read_text(encoding="utf-8"))
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert "(best)" not in json.dumps(ranked) and "(best)" not in page, ind["id"]
        assert "so the order is one of size, not of better or worse" in page
        # England's total never shares an axis with the boards' counts: not in the ranked chart, not over time
        over_time = json.loads((folder / "over-time.vl.json").read_text(encoding="utf-8"))
        assert "England" not in over_time["datasets"]["over_time_keys"], ind["id"]
        assert not any(layer.get("mark", {}).get("type") == "rule" and "England" in json.dumps(layer)
                       for layer in ranked.get("layer", [])), ind["id"]
        values = json.loads((site / ind["values"]).read_text(encoding="utf-8"))
        rows = [dict(zip(values["columns"], r)) for r in values["rows"]]
        latest = max(r["period_end"] for r in rows if r["rank"] is not None)
        ranked_rows = sorted((r["rank"], -r["value"]) for r in rows if r["period_end"] == latest and r["rank"])
        assert [v for _, v in ranked_rows] == sorted(v for _, v in ranked_rows), ind["id"]  # largest first


def test_every_funnel_point_is_coloured_by_its_place_against_the_drawn_limits(site):
    import io

    import numpy as np

    checked = 0
    for spec_file in sorted(site.glob("indicators/*/funnel.vl.json")):
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        points = list(csv.DictReader(io.StringIO(spec["datasets"]["funnel"])))
        lines: dict[str, list[tuple[float, float]]] = {}
        for row in csv.DictReader(io.StringIO(spec["datasets"]["funnel_limits"])):
            if row["line"] == "95% limits":
                lines.setdefault(row["side"], []).append((float(row["denominator"]), float(row["value"])))
        lower, upper = (np.array(sorted(lines[side])) for side in ("lower", "upper"))
        for p in points:
            n, value = float(p["denominator"]), float(p["value"])
            low, high = (float(np.interp(n, line[:, 0], line[:, 1])) for line in (lower, upper))
            if min(abs(value - low), abs(value - high)) < 0.002 * (high - low + 1e-9):
                continue  # on a line, as drawn: either side is honest
            outside = value < low or value > high
            assert (p["comparison"] not in ("Similar", "Not compared")) == outside, (spec_file, p, low, high)
            checked += 1
        page = (spec_file.parent / "index.html").read_text(encoding="utf-8")
        counted = int(page.split(" ICSs lie outside the 99.8% limits")[0].rsplit("; ", 1)[-1])
        rows = [r for r in csv.DictReader(io.StringIO((spec_file.parent / "funnel.csv").read_text(encoding="utf-8")))]
        assert counted == sum(r["Against the 99.8% limits"] not in ("Similar", "Not compared") for r in rows)
    assert checked > 300


def test_every_dsr_and_life_expectancy_with_its_inputs_is_compared_at_99_8(site):
    indicators = json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    judged = 0
    for ind in indicators:
        if ind["value_type"] not in ("directly_standardised_rate", "life_expectancy"):
            continue
        values = json.loads((site / ind["values"]).read_text(encoding="utf-8"))
        for row in (dict(zip(values["columns"], r)) for r in values["rows"]):
            inputs = row["lower_ci"] is not None and row["england_value"] is not None and row["status"] != "suppressed"
            if ind["value_type"] == "directly_standardised_rate":
                inputs = inputs and (row["numerator"] or 0) >= 10  # Dobson's form needs the events, 10 or more
            if inputs and row["area_type"] == "icb":
                assert row["compared_to_england_99_8"] != "Not compared", (ind["id"], row["area_code"])
                assert row["lower_ci_99_8"] <= row["lower_ci"] <= row["value"] <= row["upper_ci"] <= row["upper_ci_99_8"]
                judged += 1
    assert judged > 1000


def test_every_chart_image_was_drawn_from_its_published_spec(site):
    """Walk every chart spec the site publishes: its images are those drawn (by vl-convert, or for trend charts by
    charts.trend_image) for exactly that spec."""
    import xml.etree.ElementTree as ET

    import vl_convert

    from icsite.charts.images import image_key

    cache = ROOT / ".cache" / "images"
    version = getattr(vl_convert, "__version__", "unknown")
    walked, pngs = 0, 0
    for spec_file in sorted(site.rglob("*.vl.json")):
        key = image_key(version, spec_file.read_text(encoding="utf-8"))
        stem = spec_file.name.removesuffix(".vl.json")
        svg = (spec_file.parent / f"{stem}.svg").read_bytes()
        assert (cache / f"{key}.svg").read_bytes() == svg, spec_file
        png = spec_file.parent / f"{stem}.png"
        if png.exists():  # the link preview: each page's first chart only
            assert (cache / f"{key}.png").read_bytes() == png.read_bytes(), spec_file
            pngs += 1
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg") and len(list(root.iter())) > 20
        walked += 1
    assert walked >= 500
    assert pngs == len({p.parent for p in site.rglob("*.vl.json")})


def test_a_break_label_makes_room_above_the_lines_drawn_only(site):
    """The room a boundary-change label makes above a trend panel's lines counts England's values only where
    England is drawn: on a count's panel (England is not drawn) it stays near the area's own values."""
    import csv
    import io

    checked = 0
    for spec_file in sorted(site.glob("ics/*/trend-*.vl.json")):
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        data = spec["datasets"]
        keys = {r["k"]: r for r in csv.DictReader(io.StringIO(data["trend_keys"]))}
        panels: dict[str, list[float]] = {}
        rooms: dict[str, float] = {}
        for row in csv.DictReader(io.StringIO(data["trend"])):
            title = keys[row["k"]]["title"]
            if row.get("headroom"):
                rooms[title] = float(row["headroom"])
            elif row.get("value"):
                panels.setdefault(title, []).append(float(row["value"]))
        for title, room in rooms.items():
            top, bottom = max(panels[title]), min(panels[title])
            assert room <= top + (top - bottom or abs(top) or 1) * 0.46, (spec_file, title, room, top)
            checked += 1
    assert checked > 10


def test_a_rebuild_with_nothing_changed_renders_no_image(site, tmp_path):
    from icsite.core.config import load_config
    from icsite.commands.build import build as build_site

    config, _ = load_config(out_dir=tmp_path / "again", quiet=True)
    assert build_site(config).rendered == 0


def test_every_chart_on_every_page_works_without_javascript(site):
    """Every figure on every page carries its static image, description, table and reusable files, all present."""
    import re

    figures = 0
    for page in sorted(site.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        for figure in re.findall(r'<figure class="chart".*?</figure>', html, flags=re.S):
            chart_id = re.search(r'data-chart="([^"]+)"', figure)[1]
            where = f"{page.relative_to(site)} #{chart_id}"
            image = re.search(r'<img class="chart-image"[^>]* src="([^"]+)" alt="([^"]+)"', figure)
            assert image and (page.parent / image[1]).is_file(), f"{where}: no static image"
            assert 'class="chart-description"' in figure, where
            for href in re.findall(r'<a href="([^"]+)" download>', figure):
                assert (page.parent / href).is_file(), f"{where}: {href} missing"
            if "<table" not in figure:  # an embed page links to the table on the chart's own page: one copy of it
                linked = re.search(r'<p class="chart-data-link"><a href="([^"#]+)#([^"]+)"', figure)
                assert linked and linked[2] == f"{chart_id}-caption", f"{where}: no data table, nor a link to it"
                target = (page.parent / linked[1] / "index.html").read_text(encoding="utf-8")
                figure = re.search(rf'<figure class="chart" data-chart="{chart_id}".*?</figure>', target, flags=re.S)[0]
            assert "<table" in figure and "<td" in figure, where
            figures += 1
    assert figures > 1000  # every chart appears on its page and on its embed page


def test_no_broken_internal_link_anywhere(site):
    """Every href and src on every page (and 404.html) names a file of the site, downloads included.

    The site is built for the sub-path /ics-outcomes/: relative links resolve from their page; root-relative links
    (404.html's) must start with that sub-path.
    """
    import posixpath
    import re
    from urllib.parse import unquote, urlsplit

    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    broken, checked = [], 0
    for page in sorted(site.rglob("*.html")):
        here = page.relative_to(site).parent.as_posix()
        html = page.read_text(encoding="utf-8")
        for link in set(re.findall(r'(?:href|src)="([^"]*)"', html)):
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "mailto:", "data:")):
                continue
            path = unquote(parts.path)
            if path.startswith("/"):
                if not path.startswith("/ics-outcomes/"):
                    broken.append(f"{page.relative_to(site)}: {link} (outside the sub-path)")
                    continue
                target = path[len("/ics-outcomes/"):]
            else:
                target = posixpath.normpath(posixpath.join(here, path)) if path else here
            target = target.strip("/") if target not in (".", "") else ""
            checked += 1
            if target not in files and posixpath.join(target, "index.html").lstrip("/") not in files:
                broken.append(f"{page.relative_to(site)}: {link}")
    assert not broken, f"{len(broken)} broken link(s): {broken[:20]}"
    assert checked > 15_000


def test_every_published_datapackage_passes_frictionless(site):
    descriptors = sorted(site.rglob("datapackage.json"))
    packages = [p.name for p in DATA.iterdir() if (p / "datapackage.json").exists()]
    assert {d.parent.parent.name for d in descriptors} == set(packages)  # every release (latest/ only leads to one)
    assert len(descriptors) >= len(packages)
    for descriptor in descriptors:
        report = validate(str(descriptor))
        assert report.valid, (descriptor, report.flatten(["rowNumber", "fieldName", "type"])[:5])


def test_every_page_is_valid_html(site):
    """The Nu HTML Checker (vnu-jar from npm, run with the machine's Java; `make test` installs it) finds no error
    on any page of the built site, embed pages and 404.html included."""
    import subprocess

    vnu = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert vnu.is_file(), "vnu-jar is not installed: run `make test` (or `npm install --ignore-scripts`)"
    result = subprocess.run(["java", "-jar", str(vnu), "--errors-only", "--format", "gnu", "--skip-non-html",
                             str(site)], capture_output=True, text=True, timeout=600)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and not errors, f"{len(errors)} error(s):\n" + "\n".join(errors[:30])
    assert len(list(site.rglob("*.html"))) > 600


# --- direction of travel, recomputed from the published data without icsite -------------------------------------

def ohid_recent_trend(rows: list[dict], value_type: str) -> tuple[str, float]:
    """OHID's recent trend on the last five yearly rows, written out from the technical guidance: (direction or a
    reason it cannot be given, the statistic's distance from its threshold)."""
    import math

    five = rows[-5:]
    if len(five) < 5 or any(a["period_start"] <= b["period_end"] for b, a in zip(five, five[1:])):
        return "Cannot be calculated", math.inf
    if value_type == "count" or any(r["value"] is None or r["status"] == "suppressed" for r in five):
        return "Cannot be calculated", math.inf
    t = [1, 2, 3, 4, 5]
    if value_type == "proportion" and all(r["numerator"] is not None and r["denominator"] for r in five):
        c, n = [r["numerator"] for r in five], [r["denominator"] for r in five]
        if any(ci <= 0 or ci >= ni for ci, ni in zip(c, n)):
            return "Cannot be calculated", math.inf
        big_n, big_c = sum(n), sum(c)
        ct, nt, ntt = (sum(a * b for a, b in zip(c, t)), sum(a * b for a, b in zip(n, t)),
                       sum(a * b * b for a, b in zip(n, t)))
        chi2 = big_n * (big_n * ct - big_c * nt) ** 2 / (big_c * (big_n - big_c) * (big_n * ntt - nt**2))
        y = [math.log(ci / (ni - ci)) for ci, ni in zip(c, n)]
        weights = [1.0] * 5
    elif all(r["lower_ci"] is not None and r["upper_ci"] is not None and r["upper_ci"] > r["lower_ci"] for r in five):
        y = [r["value"] for r in five]
        weights = [1 / ((r["upper_ci"] - r["lower_ci"]) / (2 * 1.959963984540054)) ** 2 for r in five]
        chi2 = None
    else:
        return "Cannot be calculated", math.inf

    def slope(keep):
        w = [weights[i] for i in keep]
        sw, st, sy = sum(w), sum(w[k] * t[i] for k, i in enumerate(keep)), sum(w[k] * y[i] for k, i in enumerate(keep))
        stt = sum(w[k] * t[i] ** 2 for k, i in enumerate(keep))
        sty = sum(w[k] * t[i] * y[i] for k, i in enumerate(keep))
        return (sw * sty - st * sy) / (sw * stt - st**2), sw / (sw * stt - st**2)

    b, var = slope(range(5))
    if chi2 is None:
        chi2 = b * b / var
    same = all(math.copysign(1, slope([i for i in range(5) if i != j])[0]) == math.copysign(1, b) for j in range(5))
    if chi2 > 9.5495 and same:
        return ("Increasing" if b > 0 else "Decreasing"), abs(chi2 - 9.5495)
    return "No significant change", abs(chi2 - 9.5495)


def year_earlier(rows: list[dict]) -> tuple[str, float]:
    """Our change on a year earlier, written out from methodology.md: (Higher / Lower / Similar / a reason, margin)."""
    import math
    from datetime import date, timedelta

    last = rows[-1]
    start, end = date.fromisoformat(last["period_start"]), date.fromisoformat(last["period_end"])
    then_start = start.replace(year=start.year - 1)
    then_end = (end + timedelta(days=1)).replace(year=end.year - 1) - timedelta(days=1)
    then = [r for r in rows if r["period_start"] == then_start.isoformat() and r["period_end"] == then_end.isoformat()]
    if not then or any(r["value"] is None or r["status"] == "suppressed" or r["lower_ci"] is None
                       for r in (last, then[0])):
        return "No comparison", math.inf
    se = math.hypot(*((r["upper_ci"] - r["lower_ci"]) / (2 * 1.959963984540054) for r in (last, then[0])))
    if not se > 0:
        return "No comparison", math.inf
    z = (last["value"] - then[0]["value"]) / se
    z998 = 3.090232306167813
    return ("Higher" if z > z998 else "Lower" if z < -z998 else "Similar"), abs(abs(z) - z998)


def expected_label(direction: str, polarity: str, yearly: bool) -> str:
    better = {"high_is_good": {"Increasing": "better", "Higher": "Better"}, "low_is_good": {"Decreasing": "better",
                                                                                          "Lower": "Better"}}
    if yearly:
        if direction not in ("Increasing", "Decreasing") or polarity == "no_judgement":
            return direction
        good = better.get(polarity, {}).get(direction) == "better"
        return f"{direction} and getting {'better' if good else 'worse'}"
    if direction == "No comparison":
        return "No comparison with a year earlier"
    if direction == "Similar" or polarity == "no_judgement":
        return f"{direction} than a year earlier" if direction != "Similar" else "Similar to a year earlier"
    return f"{'Better' if better.get(polarity, {}).get(direction) else 'Worse'} than a year earlier"


def test_every_trend_label_agrees_with_ohids_rules_recomputed_without_icsite(site):
    """Each series (a board's values joined across new ONS codes, from its latest boundary change on) recomputed
    from the published API rows with the rules above; every label the API and the profiles show must agree."""
    from bs4 import BeautifulSoup

    successions = rows(DATA / "areas" / "successions.csv")
    older = {}  # a code -> the codes it continued under an older ONS code (joined series)
    for s in successions:
        if s["kind"] == "code_change":
            older.setdefault(s["successor_code"], []).append(s["predecessor_code"])
    indicators = json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    shown, checked, borderline = {}, {"yearly": 0, "monthly or quarterly": 0, "other": 0}, 0
    for ind in indicators:
        api = json.loads((site / ind["values"]).read_text(encoding="utf-8"))
        by_code: dict[str, dict[str, dict]] = {}
        for r in (dict(zip(api["columns"], row)) for row in api["rows"]):
            by_code.setdefault(r["area_code"], {})[r["period_start"] + r["period_end"]] = r
        for code, own in by_code.items():
            latest = max(own.values(), key=lambda r: (r["period_end"], r["period_start"]))
            if not latest["trend"]:
                continue
            series, todo = dict(own), list(older.get(code, []))
            while todo:  # older codes of the same board: their values join the series where it has none
                previous = todo.pop()
                for key, r in by_code.get(previous, {}).items():
                    series.setdefault(key, r)
                todo += older.get(previous, [])
            ordered = sorted(series.values(), key=lambda r: (r["period_end"], r["period_start"]))
            assert ordered[-1] is latest
            from datetime import date
            days = (date.fromisoformat(latest["period_end"]) - date.fromisoformat(latest["period_start"])).days + 1
            if 365 <= days <= 366:
                direction, margin = ohid_recent_trend(ordered, ind["value_type"])
                kind = "yearly"
            elif days <= 92:
                direction, margin = ("No comparison", float("inf")) if ind["value_type"] == "count" \
                    else year_earlier(ordered)
                kind = "monthly or quarterly"
            else:
                direction, margin, kind = "Cannot be calculated", float("inf"), "other"
            if margin < 1e-3:  # the published values are rounded: too close to the threshold to judge from them
                borderline += 1
                continue
            assert latest["trend"] == expected_label(direction, ind["polarity"], kind != "monthly or quarterly"), (
                ind["id"], code, latest["period"], direction)
            assert (latest["trend_note"] != "") == latest["trend"].startswith(("Cannot", "No comparison")) or \
                latest["trend"] == "No significant change"
            checked[kind] += 1
            shown[(ind["page"], code)] = latest["trend"]
    assert checked["yearly"] > 300 and checked["monthly or quarterly"] > 800 and borderline < 5, (checked, borderline)
    # the profiles show the same labels
    areas = json.loads((site / "api" / "v1" / "areas.json").read_text(encoding="utf-8"))["areas"]
    profiles = 0
    for area in (a for a in areas if a["profile"] and a["type"] == "icb"):
        soup = BeautifulSoup((site / area["profile"] / "index.html").read_text(encoding="utf-8"), "html.parser")
        for cell in soup.select('td[data-label="Direction of travel"]'):
            page = cell.find_parent("tr").find("th").find("a")["href"].split("indicators/")[-1]
            label = cell.contents[0].strip() if cell.contents else ""
            assert label == shown.get((f"indicators/{page}", area["code"]), label), (area["code"], page)
            profiles += (f"indicators/{page}", area["code"]) in shown
    assert profiles > 1000


def test_every_rank_says_of_how_many_and_one_table_one_period_one_n(site):
    """A rank is "12th of 42": N is the boards ranked in that value's period, so one indicator's table (one period)
    has one N, and a profile's table says each row's own."""
    import re

    from bs4 import BeautifulSoup

    rank = re.compile(r"^(\d+)(st|nd|rd|th) of (\d+)( \(could be .+\))?$")
    tables = 0
    for page in sorted(site.glob("indicators/*/index.html")) + sorted(site.glob("ics/*/index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for table in soup.find_all("table"):
            heads = [th.get_text(" ", strip=True) for th in table.find_all("th", scope="col")]
            column = next((i for i, h in enumerate(heads) if h in ("Rank", "Rank among ICSs")), None)
            if column is None:
                continue
            cells = [tr.find_all(["th", "td"])[column].get_text(" ", strip=True) for tr in table.find_all("tr")[1:]]
            ranked = [rank.match(c) for c in cells if c != "–"]
            assert ranked and all(ranked), (str(page.relative_to(site)), cells[:3])
            assert all(int(m.group(1)) <= int(m.group(3)) for m in ranked)
            if heads[column] == "Rank":  # an indicator's table: one period
                assert len({m.group(3) for m in ranked}) == 1, str(page.relative_to(site))
            tables += 1
    assert tables > 300


def test_every_indicator_page_chart_and_download_says_official_or_illustrative(site):
    import pandas as pd

    indicators = json.loads((site / "api" / "v1" / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    kinds = {True: 0, False: 0}
    for ind in indicators:
        page = (site / ind["page"] / "index.html").read_text(encoding="utf-8")
        tag, caption = (("Illustrative values", "(illustrative values)") if ind["illustrative"]
                        else ("Official statistics", "(official statistics)"))
        assert tag in page and caption in page, ind["id"]
        other = "(official statistics)" if ind["illustrative"] else "(illustrative values)"
        assert other not in page, ind["id"]
        latest = pd.read_csv(site / ind["page"] / f"{ind['id']}-latest.csv", dtype=str, keep_default_na=False)
        assert set(latest["illustrative"]) == {"true" if ind["illustrative"] else "false"}, ind["id"]
        api = json.loads((site / ind["values"]).read_text(encoding="utf-8"))
        at = api["columns"].index("illustrative")
        assert {row[at] for row in api["rows"]} == {"true" if ind["illustrative"] else "false"}, ind["id"]
        kinds[bool(ind["illustrative"])] += 1
    assert kinds[True] and kinds[False]  # both kinds are on the shipped site
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"{kinds[False]} of the site's {len(indicators)}" in " ".join(home.split())


def test_the_real_fingertips_indicator_is_shipped_with_its_back_series_as_published(site):
    """Indicator 92477 on the site equals the real export (lines of it kept byte for byte in the importer fixtures):
    every year from 2010/11, England and the boards, each value the file's value and its count over its
    denominator x 1,000; the years before the boards existed are labelled."""
    source = ROOT / "tests" / "fixtures" / "importers" / "real_fingertips" / "fingertips-92477-extract.csv"
    wanted = [r for r in rows(source) if r["Sex"] == "Persons" and r["Age"] == "0-4 yrs" and not r["Category Type"]
              and r["Area Type"] in ("England", "ICBs") and r["Value"]]
    api = json.loads((site / "api" / "v1" / "indicators" / "emergency_admissions_0_4.json").read_text(encoding="utf-8"))
    assert api["meta"]["illustrative"] is False
    shipped = {(r["area_code"], r["period"]): r for r in (dict(zip(api["columns"], row)) for row in api["rows"])}
    assert {p for _, p in shipped} >= {f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2024)}  # 2010/11 to 2023/24
    checked = 0
    for r in wanted:
        row = shipped[(r["Area Code"], r["Time period"])]
        assert abs(row["value"] - float(r["Value"])) < 1e-4 and row["numerator"] == float(r["Count"])
        assert abs(float(r["Count"]) / float(r["Denominator"]) * 1000 - row["value"]) < 1e-3
        before = r["Area Code"] != "E92000001" and row["period_end"] < "2022-07-01"
        assert ("before the board or region existed" in row["summary"]) == before, (r["Area Code"], r["Time period"])
        checked += 1
    assert checked >= 30


AE_RAW = ROOT / "tests" / "fixtures" / "importers" / "real_ae"
AE_MONTHS = {"Monthly-AE-April-2025.csv": "Apr 2025", "Monthly-AE-May-2025.csv": "May 2025",
             "Monthly-AE-June-2025-1-1.csv": "Jun 2025", "July-2025-CSV-9jfy4.csv": "Jul 2025",
             "August-2025-CSV-g5tyh-v2.0.csv": "Aug 2025", "September-2025-Csv-7hjr2.csv": "Sep 2025"}


def ae_recomputed() -> dict[tuple[str, str], list[int]]:
    """[attendances, over 4 hours, 12-hour waits from decision to admit, emergency admissions via A&E] by (area,
    month), summed straight from NHS England's six monthly files (byte-for-byte copies) with its 2025-26 mapping,
    by this test's own arithmetic (no icsite code): each provider to its board (the three providers the mapping
    leaves out to none, as the package's description says), its Parent Org's region and England."""
    areas = rows(DATA / "areas" / "areas.csv")
    boards = {a["ods_code"]: a["code"] for a in areas if a["type"] == "icb" and a["valid_from"] <= "2025-04-01"
              and (not a["valid_to"] or a["valid_to"] >= "2025-09-30")}
    regions = {a["name"].upper(): a["code"] for a in areas if a["type"] == "region"}
    board_of = {r["Org Code"]: boards[r["ICB Code"]] for r in rows(AE_RAW / "providers-2025-26.csv")}
    sums: dict[tuple[str, str], list[int]] = {}
    for name, month in AE_MONTHS.items():
        for r in rows(AE_RAW / name):
            if r["Org Code"].upper() == "TOTAL":
                continue
            counts = [sum(int(v) for k, v in r.items() if k.startswith("A&E attendances")),
                      sum(int(v) for k, v in r.items() if k.startswith("Attendances over 4hrs")),
                      int(r["Patients who have waited 12+ hrs from DTA to admission"]),
                      sum(int(v) for k, v in r.items() if k.startswith("Emergency admissions via A&E"))]
            if not any(counts):
                continue
            places = ["E92000001", regions[r["Parent Org"].strip().upper().removeprefix("NHS ENGLAND ")]]
            if r["Org Code"] not in ("Y02147", "NQT51", "Y07709"):
                places.append(board_of[r["Org Code"]])
            for place in places:
                total = sums.setdefault((place, month), [0, 0, 0, 0])
                total[:] = [a + b for a, b in zip(total, counts)]
    return sums


def test_the_real_ae_figures_on_the_site_are_the_raw_files_recomputed(site):
    """April to September 2025 for England, the 7 regions and all 42 boards of 2022, three indicators: every
    value the site publishes (its API, which its pages and downloads are made from) equals this test's own sums of
    NHS England's raw files, and England's 4-hour figures are the 74.77% (April) to 76.40% (July) recomputed in
    the real files' README."""
    sums = ae_recomputed()
    assert len(sums) == 50 * 6 and sum(c == "E92000001" for c, _ in sums) == 6
    measures = {"ae_4hr": lambda c: (100 * (c[0] - c[1]) / c[0], c[0] - c[1], c[0]),
                "ae_12hr_dta": lambda c: (1000 * c[2] / c[3], c[2], c[3]),
                "ae_attendances": lambda c: (c[0], None, None)}
    for indicator, recompute in measures.items():
        api = json.loads((site / "api" / "v1" / "indicators" / f"{indicator}.json").read_text(encoding="utf-8"))
        assert api["meta"]["illustrative"] is False and "NHS England" in api["meta"]["source"]
        shipped = {(r["area_code"], r["period"]): r for r in (dict(zip(api["columns"], row)) for row in api["rows"])}
        assert set(shipped) == set(sums), indicator  # every board, region and England, every month; nothing else
        for key, counts in sums.items():
            value, numerator, denominator = recompute(counts)
            row = shipped[key]
            assert abs(row["value"] - value) < 5e-5 and row["illustrative"] == "false", (indicator, key)
            assert (row["numerator"], row["denominator"]) == (numerator, denominator), (indicator, key)
    england = {m: 100 * (1 - sums[("E92000001", m)][1] / sums[("E92000001", m)][0]) for m in AE_MONTHS.values()}
    assert (round(england["Apr 2025"], 2), round(max(england.values()), 2)) == (74.77, 76.40)
    page = " ".join((site / "indicators" / "ae-4hr" / "index.html").read_text(encoding="utf-8").split())
    assert "Official statistics" in page and f"{england['Sep 2025']:.1f}%" in page


def test_profiles_link_official_names_to_glossary_entries_that_exist(site):
    """The glossary page's `terms` (content/glossary.md) become links behind the indicators' official names."""
    import re

    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    profile = (site / "ics" / "kent-and-medway" / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'href="\.\./\.\./glossary/#([a-z0-9-]+)"', profile))
    assert {"rtt", "qof", "compared"} <= anchors
    assert all(f'id="{a}"' in glossary for a in anchors)


def test_every_pack_is_a_pdf_of_at_most_8_pages(site, tmp_path):
    """Every shipped pack (51: current and closed boards), laid out as `--pdf` lays them out: each PDF opens, names
    its board and has at most 8 A4 pages. (The shipped build makes no PDFs, so that the other tests need not wait for
    them; tests/unit/test_pdf.py builds the fixture site with them.)"""
    import io
    import re

    from pypdf import PdfReader

    from icsite.outputs.pdf import pack_jobs, pack_pdfs
    from icsite.pages.pack import pack_pdf_path

    pages = sorted(site.glob("ics/*/pack/index.html"))
    assert len(pages) == len(list(site.glob("ics/*/index.html"))) == 51  # a pack for every profile
    jobs = pack_jobs([p.parent.relative_to(site).as_posix() + "/" for p in pages], pack_pdf_path)
    made, warnings = pack_pdfs(jobs, {}, site, "", tmp_path / "cache")
    assert warnings == []  # every file the packs show is in the site
    names = {row["slug"]: row["short_name"] for row in rows(DATA / "areas" / "areas.csv")}
    for page, path in jobs:
        reader = PdfReader(io.BytesIO(made[path]))
        assert 1 <= len(reader.pages) <= 8, f"{path}: {len(reader.pages)} pages"
        text = re.sub(r"\s+", " ", " ".join(one.extract_text() for one in reader.pages))
        assert names[page.split("/")[1]] in text, path
