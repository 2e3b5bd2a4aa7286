"""Lineage across area changes: code changes joined, boundary changes split into segments, mergers never joined.

Small hand-made frames: monthly values of one indicator for a few made-up codes, with the successions between them.
"""

import numpy as np
import pandas as pd
import pytest

from icsite.charts import specs as charts
from icsite.compute.trends import trend, trend_table
from icsite.compute.lineage import area_changes, continuous_codes, lineage, lineage_series, lineage_values

Z95 = 1.959963984540054
CHANGE = pd.Timestamp("2026-04-01")


def months(code: str, first: str, values: list[float], se: float = 0.1, indicator: str = "ind") -> pd.DataFrame:
    """One row per month from `first`, with a 95% interval of +/- 1.96 se."""
    starts = pd.date_range(first, periods=len(values), freq="MS")
    value = np.asarray(values, dtype=float)
    return pd.DataFrame({
        "indicator_id": indicator, "area_code": code, "period": starts.strftime("%b %Y"), "period_start": starts,
        "period_end": starts + pd.offsets.MonthEnd(0), "value": value, "lower_ci": value - Z95 * se,
        "upper_ci": value + Z95 * se, "numerator": np.nan, "denominator": np.nan, "value_type": "crude_rate",
        "polarity": "high_is_good", "status": "final"})


def years(code: str, first: int, values: list[float], se: float = 0.1, indicator: str = "ind") -> pd.DataFrame:
    """One row per calendar year from `first`, with a 95% interval of +/- 1.96 se."""
    out = months(code, f"{first}-01-01", values, se, indicator)
    starts = pd.to_datetime([f"{first + i}-01-01" for i in range(len(values))], format="%Y-%m-%d")
    return out.assign(period=[str(first + i) for i in range(len(values))], period_start=starts,
                      period_end=starts + pd.offsets.YearEnd(0))


def successions(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["predecessor_code", "successor_code", "date", "kind"]).assign(note="why")


def test_code_change_is_joined_into_one_continuous_series():
    # same board, new ONS code on 1 April 2023: one series, no break, every value in order
    values = pd.concat([months("OLD", "2023-01-01", [1, 2, 3]), months("NEW", "2023-04-01", [4, 5, 6])])
    out = lineage_series(values, successions(("OLD", "NEW", "2023-04-01", "code_change")), "NEW")
    assert list(out["series_code"].unique()) == ["NEW"]
    assert list(out["value"]) == [1, 2, 3, 4, 5, 6]
    assert list(out["area_code"]) == ["OLD"] * 3 + ["NEW"] * 3  # where each value was published
    assert list(out["generation"]) == [1, 1, 1, 0, 0, 0]
    assert (out["segment"] == "").all()
    assert out["segment_end"].isna().all() and out["break_date"].isna().all()


def test_boundary_change_gives_an_earlier_segment_with_a_break_at_the_change():
    values = pd.concat([months("HIOW1", "2025-11-01", [70, 71, 72, 73, 74]), months("HIOW2", "2026-04-01", [80, 81])])
    out = lineage_series(values, successions(("HIOW1", "HIOW2", "2026-04-01", "boundary_change")), "HIOW2")
    assert list(out["value"]) == [70, 71, 72, 73, 74, 80, 81]
    assert list(out["segment"]) == ["before 1 April 2026"] * 5 + ["from 1 April 2026"] * 2
    assert list(out["segment_end"].iloc[:5]) == [CHANGE] * 5
    assert out["segment_end"].iloc[5:].isna().all()
    assert list(out["segment_start"].iloc[5:]) == [CHANGE] * 2
    assert (out["break_date"] == CHANGE).all()
    assert (out.loc[out["area_code"] == "HIOW1", "break_note"] == "why").all()
    # the closed code's own series is unaffected by its successor: no break, no later values
    before = lineage_series(values, successions(("HIOW1", "HIOW2", "2026-04-01", "boundary_change")), "HIOW1")
    assert list(before["value"]) == [70, 71, 72, 73, 74] and (before["segment"] == "").all()


@pytest.mark.parametrize("kind", ["merger", "split"])
def test_mergers_and_splits_are_not_joined(kind):
    values = pd.concat([months("A", "2025-11-01", [1, 2, 3, 4, 5]), months("B", "2025-11-01", [9, 9, 9, 9, 9]),
                        months("AB", "2026-04-01", [6, 7])])
    s = successions(("A", "AB", "2026-04-01", kind), ("B", "AB", "2026-04-01", kind))
    out = lineage_series(values, s, "AB")
    assert list(out["area_code"]) == ["AB", "AB"]
    assert (out["segment"] == "").all() and out["break_date"].isna().all()


def test_code_change_before_a_boundary_change_joins_the_earlier_segment():
    # OLD -code change-> MID -boundary change-> NEW: OLD and MID are one segment, before the boundary change
    values = pd.concat([months("OLD", "2026-01-01", [1, 2]), months("MID", "2026-03-01", [3]),
                        months("NEW", "2026-04-01", [4, 5]), months("OTHER", "2026-01-01", [0, 0, 0, 0, 0])])
    s = successions(("OLD", "MID", "2026-03-01", "code_change"), ("MID", "NEW", "2026-04-01", "boundary_change"),
                    ("OTHER", "NEW", "2026-04-01", "split"))
    out = lineage_series(values, s, "NEW")
    assert list(out["area_code"]) == ["OLD", "OLD", "MID", "NEW", "NEW"]
    assert list(out["segment"]) == ["before 1 April 2026"] * 3 + ["from 1 April 2026"] * 2


def test_two_boundary_changes_make_three_segments():
    values = pd.concat([months("A", "2024-02-01", [1, 2]), months("B", "2024-04-01", [3]),
                        months("C", "2026-04-01", [4])])
    s = successions(("A", "B", "2024-04-01", "boundary_change"), ("B", "C", "2026-04-01", "boundary_change"))
    out = lineage_series(values, s, "C")
    assert list(out["segment"]) == ["before 1 April 2024"] * 2 + ["from 1 April 2024 to 31 March 2026",
                                                                   "from 1 April 2026"]
    assert (out["break_date"] == CHANGE).all()  # the latest change


def test_an_areas_own_value_wins_over_a_predecessors_for_the_same_period():
    values = pd.concat([months("OLD", "2023-03-01", [1, 2]), months("NEW", "2023-04-01", [20, 30])])
    out = lineage_series(values, successions(("OLD", "NEW", "2023-04-01", "code_change")), "NEW")
    assert list(out["value"]) == [1, 20, 30]
    assert list(out["area_code"]) == ["OLD", "NEW", "NEW"]


def test_lineage_table_for_every_code_at_once():
    s = successions(("OLD", "NEW", "2023-04-01", "code_change"), ("H1", "H2", "2026-04-01", "boundary_change"),
                    ("A", "AB", "2026-04-01", "merger"))
    table = lineage(s, ["NEW", "OLD", "H2", "H1", "AB", "A"])
    pairs = set(zip(table["series_code"], table["area_code"]))
    assert pairs == {("NEW", "NEW"), ("NEW", "OLD"), ("OLD", "OLD"), ("H2", "H2"), ("H2", "H1"), ("H1", "H1"),
                     ("AB", "AB"), ("A", "A")}


def test_trend_uses_the_joined_code_change_series():
    # three years under the old code and three under the new: six in one series, a steady rise
    values = pd.concat([years("OLD", 2018, [10, 11, 12]), years("NEW", 2021, [13, 14, 15])])
    s = successions(("OLD", "NEW", "2021-01-01", "code_change"))
    series = lineage_values(values, lineage(s, ["OLD", "NEW"]))
    trends = trend_table(series)
    assert trends.at[("ind", "NEW"), "trend"] == "Increasing and getting better"
    assert trends.at[("ind", "NEW"), "trend_to"] == "2023"
    assert trends.at[("ind", "OLD"), "trend"] == "Cannot be calculated"  # its own three points only
    assert trends.at[("ind", "OLD"), "trend_note"] == "Only 3 yearly values: the test needs 5."


def test_trend_uses_only_the_latest_segment_after_a_boundary_change():
    # a steep rise on the old boundary, then five flat years on the new one: no line is fitted across the break
    old = years("H1", 2010, [10, 20, 30, 40, 50, 60, 70, 80])
    new = years("H2", 2018, [50, 50, 50, 50, 50], se=1)
    s = successions(("H1", "H2", "2018-01-01", "boundary_change"))
    trends = trend_table(lineage_values(pd.concat([old, new]), lineage(s, ["H1", "H2"])))
    assert trends.at[("ind", "H2"), "trend"] == "No significant change"
    assert trends.at[("ind", "H1"), "trend"] == "Increasing and getting better"
    # with fewer than five years since the change the trend cannot be calculated, however long the old segment
    trends = trend_table(lineage_values(pd.concat([old, new.iloc[:3]]), lineage(s, ["H1", "H2"])))
    assert trends.at[("ind", "H2"), "trend"] == "Cannot be calculated"
    assert np.isnan(trends.at[("ind", "H2"), "trend_slope"])


def test_a_change_on_a_year_earlier_is_not_taken_across_a_boundary_change():
    # monthly values: the same month a year before the latest is on the old boundary, so there is no comparison
    old = months("H1", "2025-01-01", [10] * 15)
    new = months("H2", "2026-04-01", [20] * 6)
    s = successions(("H1", "H2", "2026-04-01", "boundary_change"))
    trends = trend_table(lineage_values(pd.concat([old, new]), lineage(s, ["H1", "H2"])))
    assert trends.at[("ind", "H2"), "trend"] == "No comparison with a year earlier"
    assert trends.at[("ind", "H2"), "trend_note"] == "No value for the same month a year earlier on this boundary."
    assert trends.at[("ind", "H1"), "trend"] == "Similar to a year earlier"  # Mar 2026 against Mar 2025: both 10


def test_trend_table_agrees_with_trend_for_every_series():
    rng = np.random.default_rng(7)
    frames = []
    for i, (n, polarity) in enumerate([(3, "high_is_good"), (5, "low_is_good"), (9, "no_judgement"),
                                       (12, "high_is_good"), (7, "low_is_good")]):
        f = years(f"A{i}", 2000, list(np.cumsum(rng.normal(0.3, 1, n))), se=float(rng.uniform(0.05, 1)))
        frames.append(f.assign(polarity=polarity))
    frames[-1].loc[frames[-1].index[-2], "lower_ci"] = np.nan  # a point without an interval in the window
    values = pd.concat(frames, ignore_index=True)
    table = trend_table(values)
    for code, f in values.groupby("area_code"):
        label, slope, _ = trend(f["value"].to_numpy(), f["lower_ci"].to_numpy(), f["upper_ci"].to_numpy(),
                                f["polarity"].iloc[0])
        assert table.at[("ind", code), "trend"] == label
        assert table.at[("ind", code), "trend_slope"] == pytest.approx(slope, nan_ok=True)


def test_continuous_codes_follow_code_changes_only():
    s = successions(("A", "B", "2023-04-01", "code_change"), ("B", "C", "2024-04-01", "code_change"),
                    ("C", "D", "2026-04-01", "boundary_change"), ("E", "F", "2026-04-01", "merger"))
    assert continuous_codes(s) == {"A": "C", "B": "C"}


def test_area_changes_count_the_boards_either_side_and_skip_code_changes():
    areas = pd.DataFrame({
        "code": ["A", "B", "C", "AB", "OLD", "NEW", "E92000001"],
        "type": ["icb"] * 6 + ["country"],
        "valid_from": pd.to_datetime(["2022-07-01"] * 3 + ["2026-04-01", "2022-07-01", "2023-04-01", "2020-04-01"]),
        "valid_to": pd.to_datetime(["2026-03-31", "2026-03-31", None, None, "2023-03-31", None, None]),
    })
    s = successions(("A", "AB", "2026-04-01", "merger"), ("B", "AB", "2026-04-01", "merger"),
                    ("OLD", "NEW", "2023-04-01", "code_change"))
    out = area_changes(areas, s, "2022-07-01", "2026-09-30")
    assert list(out["date"]) == [CHANGE]
    assert out.iloc[0]["kinds"] == {"merger": 2}
    assert (out.iloc[0]["boards_before"], out.iloc[0]["boards_after"]) == (4, 3)  # A, B, C, NEW -> C, AB, NEW
    assert area_changes(areas, s, "2022-07-01", "2026-03-31").empty  # the change is after the plotted range


def test_trend_chart_draws_segments_apart_and_a_rule_at_the_break():
    rows = [{"title": "T", "series": "X", "segment": seg, "period": p, "period_end": e, "value": v}
            for seg, p, e, v in [("before 1 April 2026", "Mar 2026", "2026-03-31", 1.0),
                                 ("from 1 April 2026", "Apr 2026", "2026-04-30", 2.0)]]
    rows += [{"title": "T", "series": "England", "segment": "", "period": "Mar 2026", "period_end": "2026-03-31",
              "value": 1.5}]
    plain = charts.trend_chart(rows, title="t", area_label="X")
    assert plain["spec"]["layer"][0]["encoding"]["detail"]["field"] == "segment"
    assert len(plain["spec"]["layer"]) == 1  # no break row: lines only
    broken = charts.trend_chart(rows + [{"title": "T", "period_end": "2026-04-01", "side": "right", "headroom": 3.0,
                                         "label": "Boundary changed\n1 Apr 2026"}], title="t", area_label="X")
    marks = [layer["mark"]["type"] for layer in broken["spec"]["layer"]]
    assert marks == ["line", "rule", "point", "text", "text"]
