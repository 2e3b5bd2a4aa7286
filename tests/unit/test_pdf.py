"""The packs' PDFs (`--pdf`, the optional `pdf` extra): one per ICS with a pack, A4, at most 8 pages, naming its
board, laid out from the site's own files only, the same bytes from every build; and a clear problem when WeasyPrint
is missing, before anything is written."""

import csv
import io
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

import build
from icsite.core.config import load_config
from icsite.outputs import pdf
from icsite.pages.pack import pack_pdf_path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"
EPOCH = "1785888000"  # a pinned build date, as the golden test's


def build_with_pdf(out: Path, cache: Path, *extra: str) -> int:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return build.main(["--data", str(FIXTURE / "datapackages"), "--content", str(FIXTURE / "content"), "--out",
                           str(out), "--cache-dir", str(cache), "--base-url", "/ics-outcomes/", "--quiet", "--pdf",
                           *extra])
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture site built twice with PDFs, each into its own folder from its own empty cache."""
    root = tmp_path_factory.mktemp("pdf")
    for name in ("a", "b"):
        assert build_with_pdf(root / name / "site", root / name / "cache") == 0
    return root / "a" / "site", root / "b" / "site"


def packs(site: Path) -> list[str]:
    """The slugs of the ICSs whose pack the site has."""
    return sorted(p.parent.parent.name for p in site.glob("ics/*/pack/index.html"))


def board_names() -> dict[str, str]:
    """Each ICB's slug (its pages' folder) -> its short name, from the fixture's area registry."""
    with open(FIXTURE / "datapackages" / "areas" / "areas.csv", encoding="utf-8") as f:
        return {row["slug"]: row["short_name"] for row in csv.DictReader(f) if row["type"] == "icb"}


def text_of(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.slow
def test_every_pack_has_a_pdf_of_at_most_8_pages_naming_its_board(two_sites):
    site = two_sites[0]
    slugs, names = packs(site), board_names()
    assert len(slugs) >= 2, "the fixture has no packs to print"
    for slug in slugs:
        path = site / pack_pdf_path(slug)
        assert path.is_file(), f"no PDF for {slug}'s pack"
        reader = PdfReader(path)
        assert 1 <= len(reader.pages) <= 8, f"{path.name} has {len(reader.pages)} pages"
        width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (595, 842), "not A4"
        assert names[slug] in text_of(reader), f"{path.name} does not name {names[slug]}"
        assert reader.metadata.title and "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    assert sorted(p.parent.parent.name for p in site.glob("ics/*/pack/*.pdf")) == slugs


@pytest.mark.slow
def test_pdfs_are_the_same_bytes_from_every_build(two_sites):
    a, b = two_sites
    for slug in packs(a):
        assert (a / pack_pdf_path(slug)).read_bytes() == (b / pack_pdf_path(slug)).read_bytes(), slug


@pytest.mark.slow
def test_pdf_links_lead_to_the_published_pages_and_its_text_is_in_our_font(two_sites):
    site = two_sites[0]
    slug = packs(site)[0]
    data = (site / pack_pdf_path(slug)).read_bytes()
    for leak in (b"site.invalid", b"file:", b".spool-", str(site.parent).encode()):
        assert leak not in data
    reader = PdfReader(io.BytesIO(data))
    links = [annot.get_object()["/A"]["/URI"] for page in reader.pages for annot in page.get("/Annots") or []
             if "/URI" in annot.get_object().get("/A", {})]
    relative = [link for link in links if "://" not in link and not link.startswith("mailto:")]
    assert relative, "the pack links to none of the site's pages"
    for link in relative:  # relative to the PDF, which sits beside its page
        target = (site / pack_pdf_path(slug)).parent / link.split("#")[0].split("?")[0]
        assert target.is_file() or (target / "index.html").is_file(), link
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert any("ICS-Charts-Text" in name for name in fonts), fonts


@pytest.mark.slow
def test_a_rebuild_takes_unchanged_pdfs_from_the_cache(two_sites, monkeypatch):
    site = two_sites[0]
    before = {slug: (site / pack_pdf_path(slug)).read_bytes() for slug in packs(site)}
    no_layout = SimpleNamespace(processors=lambda: 2, pool=lambda *a, **k: pytest.fail("a PDF was laid out again"))
    monkeypatch.setattr(pdf, "parallel", no_layout)  # the PDFs' processes only: chart images still draw
    assert build_with_pdf(site, site.parent / "cache", "--force") == 0
    assert {slug: (site / pack_pdf_path(slug)).read_bytes() for slug in packs(site)} == before


def test_without_weasyprint_the_build_says_what_to_install_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails, as where it is not installed
    out = tmp_path / "site"
    assert build_with_pdf(out, tmp_path / "cache") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "ERROR [pdf-unavailable]: the PDF packs need WeasyPrint" in err
    assert "pip install -e '.[pdf]'" in err and "Nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no site, no spool, no cache


def test_pdf_and_packs_settings_are_checked(tmp_path):
    settings = tmp_path / "site.toml"
    settings.write_text('pdf = "yes"\npacks = 1\n', encoding="utf-8")
    config, problems = load_config(settings)
    assert sorted((p.code, p.field) for p in problems) == [("config-invalid", "packs"), ("config-invalid", "pdf")]
    assert (config.packs, config.pdf) == (True, False)
    settings.write_text("pdf = true\npacks = true\n", encoding="utf-8")
    config, problems = load_config(settings)
    assert problems == [] and (config.packs, config.pdf) == (True, True)
    args = build.parse_args(["--pdf", "--no-packs"])
    assert load_config(tmp_path / "none.toml", packs=args.packs, pdf=args.pdf)[0].pdf is True
    assert (args.packs, args.pdf) == (False, True)
    assert (build.parse_args([]).packs, build.parse_args([]).pdf) == (None, None)  # the settings file decides


def test_only_the_sites_own_files_are_read():
    assert pdf.site_path(pdf.SITE + "ics/x/pack/../spine.svg") == "ics/x/spine.svg"
    assert pdf.site_path(pdf.SITE + "ics/x/") == "ics/x/index.html"
    for outside in ("file:///etc/passwd", "https://example.com/a.png", pdf.SITE + "../../etc/passwd",
                    pdf.SITE + "..%2F..%2Fetc%2Fpasswd", "https://site.invalid.example.com/a"):
        assert pdf.site_path(outside) is None, outside
    page = "ics/x/pack/index.html"
    assert pdf.published(pdf.SITE + "indicators/y/#z", page, "") == "../../../indicators/y/#z"
    assert pdf.published(pdf.SITE + "ics/x/pack/", page, "") == "./"
    assert pdf.published(pdf.SITE, page, "") == "../../../"
    assert pdf.published(pdf.SITE + "ics/x/", page, "https://example.org/s/") == "https://example.org/s/ics/x/"
    assert pdf.published("https://www.england.nhs.uk/", page, "") == "https://www.england.nhs.uk/"


@pytest.mark.slow
def test_a_page_asking_for_files_outside_the_site_gets_none_of_them(tmp_path):
    """Web addresses, local files and paths out of the site are refused (named in warnings); the site's own files,
    in the spool or in the cache, are served."""
    spool, cache = tmp_path / "spool", tmp_path / "cache"
    page = spool / "ics" / "x" / "pack" / "index.html"
    page.parent.mkdir(parents=True)
    (spool / "assets").mkdir()
    (spool / "assets" / "style.css").write_text("h1 { color: #036; }", encoding="utf-8")
    held = tmp_path / "cached-spine.svg"  # a chart image the site copies from the cache
    held.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/>'
                    "</svg>", encoding="utf-8")
    page.write_text(
        '<!doctype html><html lang="en"><head><title>X pack</title>'
        '<link rel="stylesheet" href="../../../assets/style.css"></head><body><h1>Board X</h1>'
        '<img src="../spine.svg" alt="spine"><img src="https://example.com/a.png" alt="">'
        '<img src="file:///etc/hostname" alt=""><img src="../../../../../../etc/passwd" alt="">'
        '<p><a href="../../../indicators/y/">an indicator</a></p></body></html>', encoding="utf-8")
    jobs = [("ics/x/pack/index.html", "ics/x/pack/x.pdf")]
    made, warnings = pdf.pack_pdfs(jobs, {"ics/x/spine.svg": held}, spool, "", cache)
    refused = sorted(re.search(r"asks for (\S+),", w.message)[1] for w in warnings)
    assert refused == sorted([pdf.SITE + "etc/passwd", "file:///etc/hostname", "https://example.com/a.png"])
    assert all(w.severity == "warning" and w.code == "pdf-file-missing" for w in warnings)
    reader = PdfReader(io.BytesIO(made["ics/x/pack/x.pdf"]))
    assert "Board X" in text_of(reader)
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots") or []]
    assert links == ["../../../indicators/y/"]
    entry = next(cache.glob("pdfs/*.entry")).read_bytes().split(b"\n", 1)[0].decode()
    assert pdf.SITE + "ics/x/spine.svg" in entry and '"missing"' in entry
    site = pdf.Site(str(spool), {"ics/x/spine.svg": str(held)}, "", str(cache / "pdfs"), pdf.renderer())
    assert site.cached("ics/x/pack/index.html")[0] == made["ics/x/pack/x.pdf"]
    held.write_text(held.read_text().replace('height="10"/>', 'height="9"/>'), encoding="utf-8")
    assert site.cached("ics/x/pack/index.html") is None  # a file it read has changed: laid out again
