"""`build.py new-page` and `build.py new-indicator-package` write starting points that check and build."""

import shutil
from pathlib import Path

import build

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site-small"


def test_scaffolded_page_and_package_check_and_build(tmp_path, capsys):
    data, content, out = tmp_path / "datapackages", tmp_path / "content", tmp_path / "site"
    shutil.copytree(FIXTURE / "datapackages", data)
    shutil.copytree(FIXTURE / "content", content)
    assert build.main(["new-indicator-package", "maternity", "--data", str(data)]) == 0
    assert build.main(["new-page", "Press and media", "--content", str(content), "--nav"]) == 0
    assert build.main(["new-indicator-package", "maternity", "--data", str(data)]) == 2  # never overwritten
    assert build.main(["new-indicator-package", "Bad Name", "--data", str(data)]) == 2
    assert build.main(["--check", "--data", str(data), "--content", str(content)]) == 0
    assert build.main(["--data", str(data), "--content", str(content), "--out", str(out), "--quiet"]) == 0
    assert (out / "indicators" / "maternity-example" / "index.html").is_file()
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="press-and-media/"' in home  # in the navigation
    assert "already exists" in capsys.readouterr().err
