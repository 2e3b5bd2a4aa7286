"""Figures published on a board's boundary for years before it existed (the area registry's optional
`figures_from`): accepted for those years only, and labelled wherever they are shown."""

import json
import shutil
from pathlib import Path

from icsite.commands.build import check
from icsite.compute.summaries import row_sentence
from icsite.core.config import load_config
from icsite.importers.registry import Registry

SMALL = Path(__file__).parents[1] / "fixtures" / "site-small"
KENT = "E54000032"  # valid from 2022-07-01 in the fixture's registry
EARLY = "ae_4hr,E54000032,Jun 2021,2021-06-01,2021-06-30,71.0000,70.6793,71.3184,56800,80000,final,\n"


def site(tmp_path: Path, figures_from: dict[str, str] | None) -> Path:
    """The small fixture with a value for Kent in June 2021, a year before the board existed; with `figures_from`,
    the registry's optional column, filled for the codes given."""
    data = tmp_path / "datapackages"
    shutil.copytree(SMALL / "datapackages", data)
    values = data / "urgent-care-sample" / "values.csv"
    values.write_text(values.read_text(encoding="utf-8") + EARLY, encoding="utf-8")
    if figures_from is not None:
        areas = data / "areas" / "areas.csv"
        lines = areas.read_text(encoding="utf-8").splitlines()
        lines = [lines[0] + ",figures_from"] + [line + "," + figures_from.get(line.split(",")[0], "")
                                                for line in lines[1:]]
        areas.write_text("\n".join(lines) + "\n", encoding="utf-8")
        descriptor = json.loads((data / "areas" / "datapackage.json").read_text(encoding="utf-8"))
        resource = next(r for r in descriptor["resources"] if r["name"] == "areas")
        resource["schema"]["fields"].append({"name": "figures_from", "type": "date"})
        (data / "areas" / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return data


def errors(data: Path) -> list[tuple]:
    config, _ = load_config(data_dir=data, content_dir=SMALL / "content")
    return [(p.code, p.field, p.expected) for p in check(config) if p.severity == "error"]


def test_a_value_before_a_board_existed_is_refused_without_figures_from(tmp_path):
    assert errors(site(tmp_path, None)) == [("area-not-valid", "area_code", "a period within 2022-07-01 to now")]
    # the column present but not filled for Kent: still refused
    assert [e[0] for e in errors(site(tmp_path / "b", {}))] == ["area-not-valid"]


def test_figures_from_accepts_the_years_it_says_and_no_earlier(tmp_path):
    assert errors(site(tmp_path, {KENT: "2020-04-01"})) == []
    assert errors(site(tmp_path / "b", {KENT: "2021-07-01"})) == [
        ("area-not-valid", "area_code", "a period within 2021-07-01 to now")]


def test_importers_place_such_figures_on_the_board(tmp_path):
    from datetime import date

    registry = Registry.load(site(tmp_path, {KENT: "2010-04-01"}))
    assert registry.place(KENT, "Kent", date(2015, 4, 1), date(2016, 3, 31)).code == KENT
    registry = Registry.load(site(tmp_path / "b", None))
    assert registry.place(KENT, "Kent", date(2015, 4, 1), date(2016, 3, 31)).code is None


def test_such_figures_are_labelled(tmp_path):
    assert row_sentence("Worse", "", "final", False, True).endswith(
        "The figure is for the area's boundary in a period before the board or region existed.")
    from icsite.compute.comparisons import compute
    from icsite.inputs.load import load
    from icsite.inputs.model import build_model

    config, _ = load_config(data_dir=site(tmp_path, {KENT: "2020-04-01"}), content_dir=SMALL / "content")
    values = compute(build_model(load(config))).values
    early = values[(values["area_code"] == KENT) & (values["period"] == "Jun 2021")]
    later = values[(values["area_code"] == KENT) & (values["period"] == "Jun 2026") &
                   (values["indicator_id"] == "ae_4hr")]
    assert early["summary"].iloc[0].endswith("before the board or region existed.")
    assert "before the board" not in later["summary"].iloc[0]


def test_the_over_time_chart_says_which_values_are_from_before_the_boards():
    import pandas as pd

    from icsite.pages.over_time import before_boards

    class Index:
        area = {"A": {"type": "icb", "valid_from": pd.Timestamp("2022-07-01")},
                "R": {"type": "region", "valid_from": pd.Timestamp("2020-04-01")},
                "E": {"type": "country", "valid_from": pd.Timestamp("2020-04-01")}}

    text = before_boards(Index(), {"area_code": ["A", "A", "R", "E"],
                                   "end": ["2015-03-31", "2023-03-31", "2015-03-31", "2015-03-31"]})
    assert text.startswith(" Values for periods before 1 April 2020 or 1 July 2022, when the boards or regions")
    assert before_boards(Index(), {"area_code": ["A", "E"], "end": ["2023-03-31", "2015-03-31"]}) == ""
