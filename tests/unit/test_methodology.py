"""content/methodology.md says what the code does: every method it names has an implementation, and every label the
code can give a reader is explained there."""

import importlib
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from icsite.compute import trends
from icsite.compute.stats import interval

PAGE = (Path(__file__).parents[2] / "content" / "methodology.md").read_text(encoding="utf-8")
TABLE_HEADING = "## Where each method is in the code"
PROSE = PAGE.split(TABLE_HEADING)[0]
#: method names as the prose may say them -> the table's row for that method
NAMED = {"Wilson score": "Wilson score interval", "Byar's": "Byar's approximation",
         "exact Poisson": "Exact Poisson interval", "Dobson's": "Dobson's method", "Chiang": "99.8% limits from "
         "published 95% ones", "Goldstein and Spiegelhalter": "Rank ranges by simulation",
         "chi-squared test for trend": "Chi-squared test for trend",
         "regression of the values on time weighted by their precision": "Precision-weighted regression",
         "control limits": "Funnel control limits", "a year earlier": "Change on a year earlier",
         "five systems most like it": "Peer groups", "improved most": "Most improved",
         "not compared": "Comparison with England by interval", "met": "Target met or not met"}


def method_table() -> list[dict]:
    lines = [line for line in PAGE.split(TABLE_HEADING)[1].splitlines() if line.startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(head, (c.strip() for c in line.strip("|").split("|")))) for line in lines[2:]]


def resolve(dotted: str):
    module, _, name = dotted.strip("`").rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("row", method_table(), ids=lambda r: r["Method"])
def test_every_method_in_the_table_has_an_implementation(row):
    target = resolve(row["Code"])
    if callable(target):
        assert inspect.getdoc(target), f"{row['Code']} has no docstring saying what it computes"
    else:
        assert isinstance(target, list) and target, row["Code"]
    assert f"## {row['Section']}\n" in PROSE, f"no section '{row['Section']}' for {row['Method']}"
    assert row["Reference"], row["Method"]


def test_every_section_has_its_methods_in_the_table():
    sections = re.findall(r"^## (.+)$", PROSE, flags=re.MULTILINE)
    covered = {row["Section"] for row in method_table()}
    assert sections and [s for s in sections if s not in covered] == []


def test_every_method_the_prose_names_is_in_the_table():
    methods = {row["Method"] for row in method_table()}
    named = [phrase for phrase in NAMED if phrase in PROSE]
    assert len(named) >= 12
    assert [NAMED[phrase] for phrase in named if NAMED[phrase] not in methods] == []


def test_every_interval_method_and_trend_label_the_code_gives_is_explained():
    kinds = ["proportion", "crude_rate", "directly_standardised_rate", "life_expectancy", "mean", "count", "score"]
    labels = set()
    for kind in kinds:
        for count in (3.0, 30.0):
            labels.add(str(interval(np.array([kind]), np.array([count]), np.array([100.0]), np.array([100.0]),
                                    0.95)[2][0]))
    labels |= {"published", "suppressed"}
    assert {"Wilson score", "Byar's", "exact Poisson", "not computed"} <= labels
    for label in labels:
        assert f"`{label}`" in PROSE, label
    for label in (trends.CANNOT, trends.NO_CHANGE, trends.NO_YEAR_ON, trends.SIMILAR, "Increasing", "Decreasing",
                  "and getting better", "Better than a year earlier", "Worse than a year earlier"):
        assert label in PROSE, label
    assert f"{trends.CHI2_998:.4f}" in PROSE and "99.8%" in PROSE and "five most recent values" in PROSE
