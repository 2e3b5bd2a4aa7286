"""compute, ranking, peers and summaries: the statistics of issue "Honest comparisons", on hand-made frames.

Expected values are worked out by hand in the comments, or come from the published method cited there.
"""

import numpy as np
import pandas as pd
import pytest

from icsite.compute.comparisons import add_intervals, compare, compare_target
from icsite.compute.peers import better, learning, most_improved, peer_groups
from icsite.compute.ranking import add_ranks, rank_range
from icsite.compute.summaries import area_sentences, indicator_sentence, row_sentence


def frame(**columns) -> pd.DataFrame:
    n = max(len(v) for v in columns.values() if isinstance(v, list))
    base = {"indicator_id": "x", "period": "2024", "area_type": "icb", "status": "final", "polarity": "high_is_good",
            "lower_ci": np.nan, "upper_ci": np.nan, "numerator": np.nan, "denominator": np.nan,
            "value_type": "proportion", "multiplier": 100.0}
    base.update(columns)
    return pd.DataFrame({k: (v if isinstance(v, list) else [v] * n) for k, v in base.items()})


# intervals -------------------------------------------------------------------------------------------------------

def test_intervals_are_computed_only_where_the_data_has_counts_but_no_interval():
    # Newcombe (1998, Statistics in Medicine 17:857-872), example 1: 81/263, Wilson 95% interval 0.2553 to 0.3662
    f = frame(value=[30.798, 50.0, 7.0], numerator=[81, 50, np.nan], denominator=[263, 100, np.nan],
              lower_ci=[np.nan, 40.0, np.nan], upper_ci=[np.nan, 60.0, np.nan])
    out = add_intervals(f)
    assert out.loc[0, "lower_ci"] == pytest.approx(25.53, abs=0.01)
    assert out.loc[0, "upper_ci"] == pytest.approx(36.62, abs=0.01)
    assert list(out["ci_method"]) == ["Wilson score", "published", "not computed"]
    assert (out.loc[1, "lower_ci"], out.loc[1, "upper_ci"]) == (40.0, 60.0)  # a published interval is kept
    # the 99.8% interval is wider and computed from the counts for every row that has them
    assert out.loc[0, "lower_ci_99_8"] < out.loc[0, "lower_ci"] and out.loc[0, "upper_ci_99_8"] > out.loc[0, "upper_ci"]
    assert np.isnan(out.loc[2, "lower_ci_99_8"])


def test_suppressed_rows_get_no_interval():
    out = add_intervals(frame(value=[np.nan], numerator=[5], denominator=[100], status="suppressed"))
    assert np.isnan(out.loc[0, "lower_ci"]) and np.isnan(out.loc[0, "lower_ci_99_8"])
    assert out.loc[0, "ci_method"] == "suppressed"


# comparisons -----------------------------------------------------------------------------------------------------

def test_comparison_at_two_confidence_levels():
    # interval 78-82 at 95% excludes England's 77.5, but a 99.8% interval of 77-83 includes it
    at95 = compare(pd.Series([80.0]), pd.Series([78.0]), pd.Series([82.0]), pd.Series([77.5]),
                   pd.Series(["high_is_good"]), pd.Series(["final"]))
    at998 = compare(pd.Series([80.0]), pd.Series([77.0]), pd.Series([83.0]), pd.Series([77.5]),
                    pd.Series(["high_is_good"]), pd.Series(["final"]))
    assert (at95[0], at998[0]) == ("Better", "Similar")


@pytest.mark.parametrize("value, target, polarity, expected", [
    (78.0, 78.0, "high_is_good", "Met"), (77.9, 78.0, "high_is_good", "Not met"),
    (1.0, 1.0, "low_is_good", "Met"), (1.1, 1.0, "low_is_good", "Not met"),
    (50.0, np.nan, "high_is_good", ""), (50.0, 40.0, "no_judgement", ""), (np.nan, 40.0, "high_is_good", ""),
])
def test_target(value, target, polarity, expected):
    assert list(compare_target(pd.Series([value]), pd.Series([target]), pd.Series([polarity]))) == [expected]


# ranks -----------------------------------------------------------------------------------------------------------

def test_ranks_share_ties_and_follow_polarity():
    f = frame(area_code=["a", "b", "c", "d"], value=[90.0, 80.0, 90.0, 70.0])
    assert list(add_ranks(f)["rank"]) == [1, 3, 1, 4]  # two tied at 1st, then 3rd: "min" ranking
    low = add_ranks(f.assign(polarity="low_is_good"))
    assert list(low["rank"]) == [3, 2, 3, 1]
    assert list(low["rank_of"]) == [4, 4, 4, 4]


def test_a_count_is_ranked_by_size_never_best_to_worst():
    waiting = frame(area_code=["a", "b", "c"], value=[5e5, 2e5, 9e5], polarity="low_is_good", value_type="count")
    assert list(add_ranks(waiting)["rank"]) == [2, 3, 1]  # the largest list first: a big system, not the worst


def test_only_icbs_with_a_published_value_are_ranked():
    f = frame(area_code=["a", "b", "E92000001", "d"], value=[90.0, np.nan, 85.0, 70.0],
              area_type=["icb", "icb", "country", "icb"], status=["final", "suppressed", "final", "final"])
    ranks = add_ranks(f)
    assert ranks["rank"].tolist()[0] == 1 and ranks["rank"].tolist()[3] == 2
    assert pd.isna(ranks["rank"].tolist()[1]) and pd.isna(ranks["rank"].tolist()[2])
    assert ranks["rank_of"].tolist()[0] == 2


def test_rank_range_reflects_overlap_and_is_reproducible():
    value = np.array([10.0, 11.0, 12.0, 13.0, 30.0])
    lo, hi = rank_range(value, value - 1.5, value + 1.5, "high_is_good", "seed")
    # the clear leader (30, interval 28.5-31.5) is 1st in every draw; the four close ones overlap each other
    assert (lo[4], hi[4]) == (1, 1)
    assert lo[0] < hi[0] and hi[0] == 5 and lo[3] == 2
    lo2, hi2 = rank_range(value, value - 1.5, value + 1.5, "high_is_good", "seed")
    assert (lo == lo2).all() and (hi == hi2).all()


def test_rank_range_needs_intervals():
    value = np.array([1.0, 2.0])
    lo, hi = rank_range(value, value * np.nan, value * np.nan, "high_is_good", "s")
    assert np.isnan(lo).all() and np.isnan(hi).all()
    ranks = add_ranks(frame(area_code=["a", "b"], value=[1.0, 2.0]))
    assert ranks["rank_lowest"].isna().all() and ranks["rank_highest"].isna().all()


def test_rank_range_always_contains_the_rank():
    f = frame(area_code=list("abcdef"), value=[50.0, 51, 52, 53, 54, 55], lower_ci=[45.0, 46, 47, 48, 49, 50],
              upper_ci=[55.0, 56, 57, 58, 59, 60])
    r = add_ranks(f)
    assert ((r["rank_lowest"] <= r["rank"]) & (r["rank"] <= r["rank_highest"])).all()


# peers -----------------------------------------------------------------------------------------------------------

def test_peer_groups_by_standardised_distance():
    # log population and IMD for four current boards. Standardised (z) scores by hand:
    # log pop: a,b = ln 1e6 = 13.8155; c,d = ln 4e6 = 15.2018; mean 14.5087, sd 0.6931 -> z = -1, -1, +1, +1
    # IMD: 10, 12, 30, 11: mean 15.75, sd 8.0740 -> z = -0.712, -0.464, +1.765, -0.588
    # a's distances: b 0.248, d sqrt(4 + 0.0154) = 2.004, c 3.370 -> peers b, d, c
    areas = pd.DataFrame({"type": "icb", "valid_from": pd.Timestamp("2022-07-01"), "valid_to": pd.NaT},
                         index=["a", "b", "c", "d"])
    rows = []
    for code, pop, imd in [("a", 1e6, 10.0), ("b", 1e6, 12.0), ("c", 4e6, 30.0), ("d", 4e6, 11.0)]:
        rows.append({"indicator_id": "registered_population", "area_code": code, "value": pop})
        rows.append({"indicator_id": "imd_score", "area_code": code, "value": imd})
    values = pd.DataFrame(rows).assign(area_type="icb", period_end=pd.Timestamp("2025-12-31"))
    peers = peer_groups(values, areas, k=3)
    assert peers["a"] == ["b", "d", "c"]
    assert peers["c"][0] == "d"


def test_closed_boards_have_no_peers_and_are_no_ones_peer():
    areas = pd.DataFrame({"type": "icb", "valid_from": pd.Timestamp("2022-07-01"),
                          "valid_to": [pd.NaT, pd.NaT, pd.Timestamp("2026-03-31")]}, index=["a", "b", "old"])
    values = pd.DataFrame([{"indicator_id": i, "area_code": c, "value": v} for c in ("a", "b", "old")
                           for i, v in (("registered_population", 1e6), ("imd_score", 10.0))]).assign(
        area_type="icb", period_end=pd.Timestamp("2025-12-31"))
    peers = peer_groups(values, areas)
    assert peers == {"a": ["b"], "b": ["a"]}  # "old" closed: compared today through its successors


def test_learning_names_peers_significantly_better_and_the_most_improved():
    latest = pd.DataFrame({
        "area_code": ["me", "p1", "p2"], "indicator_id": "x", "period": "2025",
        "period_end": pd.Timestamp("2025-12-31"),
        "lower_ci": [60.0, 66.0, 61.0], "upper_ci": [64.0, 70.0, 65.0], "polarity": "high_is_good",
        "compared_to_england": ["Worse", "Better", "Similar"]})
    trends = pd.DataFrame({"indicator_id": "x", "area_code": ["p1", "p2", "me"],
                           "trend": ["Increasing and getting better", "Increasing and getting better",
                                     "No significant change"], "trend_z": [2.5, 4.0, 0.3], "improving": [1, 1, 0]})
    out = learning(latest, {"me": ["p1", "p2"]}, trends, {"me", "p1", "p2"})
    # p1's interval (66-70) is wholly above mine (60-64); p2's (61-65) overlaps it: not significantly better
    assert out[("me", "x")]["peers"] == ["p1"]
    assert out[(None, "x")] == ["p2", "p1"]  # the most improved for the indicator page: the larger z first
    assert out[("me", "x")]["improvers"] == ["p2", "p1"]
    assert ("p1", "x") not in out  # only for ICSs worse than England


def test_learning_never_offers_a_closed_board_or_another_period():
    latest = pd.DataFrame({
        "area_code": ["me", "closed", "older", "now"], "indicator_id": "x", "period": ["2025", "2025", "2024", "2025"],
        "period_end": pd.to_datetime(["2025-12-31", "2025-12-31", "2024-12-31", "2025-12-31"]),
        "lower_ci": [60.0, 66.0, 66.0, 61.0], "upper_ci": [64.0, 70.0, 70.0, 62.0], "polarity": "low_is_good",
        "compared_to_england": ["Worse", "Worse", "Worse", "Worse"]})
    trends = pd.DataFrame({"indicator_id": "x", "area_code": ["closed", "older", "now", "me"],
                           "trend": ["Decreasing and getting better"] * 4, "trend_z": [-9.0, -8.0, -3.0, -2.0],
                           "improving": 1})
    out = learning(latest, {"me": ["closed", "older", "now"]}, trends, {"me", "older", "now"})
    assert out[(None, "x")] == ["now", "me"]  # "closed" is not current; "older" has no value in 2025
    assert out[("me", "x")] == {"peers": [], "improvers": ["now"]}  # "now" (61-62) overlaps mine (60-64)
    assert ("closed", "x") not in out and out[("older", "x")]["improvers"] == []  # its own period: only itself


def test_better_is_polarity_aware():
    assert better(66, 70, 60, 64, "high_is_good") and not better(66, 70, 60, 64, "low_is_good")
    assert better(1, 2, 3, 4, "low_is_good") and not better(1, 2, 3, 4, "no_judgement")


def test_most_improved_only_counts_significant_improvement():
    trends = pd.DataFrame({"indicator_id": "x", "area_code": ["a", "b", "c"], "trend": [
        "Decreasing and getting worse", "No significant change", "Worse than a year earlier"],
        "trend_z": [-5.0, 1.0, 4.0], "improving": [-1, 0, -1]})
    assert most_improved(trends, "x", {"a", "b", "c"}) == []
    better = trends.assign(trend="Better than a year earlier", improving=1)  # our monthly method counts too
    assert most_improved(better, "x", {"a", "b", "c"}) == ["a", "c", "b"]


# sentences -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("comparison, trend, status, small, expected", [
    ("Worse", "Increasing and getting worse", "final", False, "Significantly worse than England and getting worse."),
    ("Better", "Decreasing and getting worse", "final", False, "Significantly better than England but getting worse."),
    ("Similar", "No significant change", "final", False,
     "Similar to England, with no significant change over the latest five years."),
    ("Worse", "Better than a year earlier", "final", False, "Significantly worse than England but better than a year "
     "earlier."),
    ("Similar", "Similar to a year earlier", "final", False, "Similar to England, and similar to a year earlier."),
    ("Higher", "Lower than a year earlier", "final", False,
     "Significantly higher than England; significantly lower than a year earlier."),
    ("Similar", "No comparison with a year earlier", "final", False, "Similar to England."),
    ("Similar", "Cannot be calculated", "final", False, "Similar to England."),
    ("Not compared", "", "final", False, "Not compared with England."),
    ("Not compared", "", "final", True, "Too few events to compare with England."),
    ("Not compared", "", "suppressed", False, "Suppressed: the value is not published."),
])
def test_row_sentence_says_no_more_than_the_statistics(comparison, trend, status, small, expected):
    assert row_sentence(comparison, trend, status, small) == expected


def test_area_and_indicator_sentences():
    counts = {"compared": 34, "Better": 9, "Similar": 19, "Worse": 6, "better_trend": 4, "worse_trend": 1}
    assert area_sentences("Devon", counts) == [
        "Devon is better than England on 9 of 34 indicators compared, similar on 19 and worse on 6.",
        "It is improving significantly on 4 and getting significantly worse on 1 (over the latest five years, or on a "
        "year earlier for monthly and quarterly figures)."]
    assert area_sentences("New", {"compared": 0}) == ["New has no indicator that can be compared with England yet."]
    assert indicator_sentence("2024/25", {"Better": 3, "Worse": 2, "Similar": 37}, 42, True) == (
        "In 2024/25, 3 of 42 ICSs were significantly better than England, 2 significantly worse and 37 similar.")


def test_small_numbers_are_flagged_and_not_compared():
    from pathlib import Path

    from icsite.compute.comparisons import compute
    from icsite.core.config import load_config
    from icsite.inputs.load import load
    from icsite.inputs.model import build_model

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "site-small"
    config, _ = load_config(data_dir=fixture / "datapackages", content_dir=fixture / "content")
    data = build_model(load(config))
    normal, strict = compute(data).values, compute(data, min_events=10**9).values
    counted = strict["numerator"].notna()
    assert counted.any() and strict.loc[counted, "small_number"].all()
    assert (strict.loc[counted, "compared_to_england"] == "Not compared").all()
    assert (strict.loc[counted, "summary"] == "Too few events to compare with England.").all()
    assert not normal["small_number"].any() and (normal["compared_to_england"] != "Not compared").any()
