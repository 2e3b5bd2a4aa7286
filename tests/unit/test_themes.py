"""A second theme overrides a few blocks and the colours; everything else comes from the default theme."""

from pathlib import Path

import build

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-small"


def test_civic_theme_overrides_the_header_and_colours_only(tmp_path):
    out, default = tmp_path / "civic", tmp_path / "default"
    common = ["--data", str(FIXTURE / "datapackages"), "--content", str(FIXTURE / "content"), "--quiet"]
    assert build.main(common + ["--out", str(out), "--theme", "civic"]) == 0
    assert build.main(common + ["--out", str(default)]) == 0
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Example Health and Care Partnership" in home and 'href="assets/civic.css"' in home
    assert 'id="site-search"' in home  # the default's search block, kept through super()
    assert (out / "assets" / "civic.css").is_file() and (out / "assets" / "style.css").is_file()
    # a page the theme does not touch: the same <main> as the default theme's
    page = "indicators/ae-4hr/index.html"
    main = [(site / page).read_text(encoding="utf-8").split("<main", 1)[1].split("</main>", 1)[0]
            for site in (out, default)]
    assert main[0] == main[1]
    assert "Example Health" not in (default / "index.html").read_text(encoding="utf-8")
