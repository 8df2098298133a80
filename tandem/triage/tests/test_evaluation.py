"""The suggestions keep their measured quality on a labelled set never used for fitting or choosing
anything (figures in docs/triage.md; `manage.py triage_eval` prints them)."""

import numpy as np
import pytest

from tandem.triage.evaluation import (
    SETS,
    Query,
    auroc,
    evaluate,
    fit_calibration,
    fit_flag_threshold,
    fit_new_need,
    fit_weights,
    labelled_set,
)
from tandem.triage.suggestions import SIGNALS, new_need_chance

# A little under what each set never used for fitting measured (docs/triage.md: ledgerline 0.851,
# 0.966, 0.713, 1.000 of 6; harbourdesk 0.812, 0.965, 0.746, 0.875 of 8): floors that catch a
# regression, not the targets (0.85, 0.97, 0.90, 0.90), which are not met.
FLOORS = {
    "ledgerline": {"precision_at_1": 0.80, "recall_at_5": 0.92, "auroc": 0.65, "cluster_recall": 0.80},
    "harbourdesk": {"precision_at_1": 0.76, "recall_at_5": 0.92, "auroc": 0.68, "cluster_recall": 0.70},
}
# Brightpost and haulmark showed the problems the leading-label changes fix, so they are no longer
# clean for them; their floors (brightpost 0.810, 0.952, 0.702, 0.833 of 6; haulmark 0.798, 0.936,
# 1.000 of 8 measured) still catch a regression. Haulmark has none on the new-need AUROC: "probably
# new" is fitted on it.
SHOWED_A_PROBLEM = {
    "brightpost": {"precision_at_1": 0.76, "recall_at_5": 0.90, "auroc": 0.64, "cluster_recall": 0.65},
    "haulmark": {"precision_at_1": 0.74, "recall_at_5": 0.88, "cluster_recall": 0.85},
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_floor_holds_on_a_set_never_used_for_fitting(db, name):
    held_out = labelled_set(name)
    assert not held_out.fitted
    _floor_holds(held_out, FLOORS[name])


@pytest.mark.parametrize("name", sorted(SHOWED_A_PROBLEM))
def test_the_floor_holds_on_a_set_that_only_showed_a_problem(db, name):
    _floor_holds(labelled_set(name), SHOWED_A_PROBLEM[name])


def _floor_holds(labelled, floors):
    figures = evaluate(labelled).figures()
    assert figures.covered >= 80
    for measure, floor in floors.items():
        assert getattr(figures, measure) >= floor, (measure, figures)


def test_every_set_says_what_it_was_used_for_and_at_least_one_was_used_for_nothing():
    assert len({s.name for s in SETS}) == len(SETS) >= 5
    assert sum(not s.fitted for s in SETS) >= 2
    for s in SETS:
        data = s.load()
        features = {f["key"] for f in data["features"]}
        assert {a["feature"] for a in data["asks"]} - {None} <= features
        # Splits group asks by need: no need (so no feature) is on both sides.
        sides: dict[str, set[str]] = {}
        for a in data["asks"]:
            sides.setdefault(a["same_need"], set()).add(a["split"])
        assert all(len(split) == 1 for split in sides.values()), s.name
        assert any(a["feature"] is None for a in data["asks"]), s.name  # asks that match no feature


def test_auroc_counts_how_often_a_positive_scores_above_a_negative():
    assert auroc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auroc([0.1, 0.9], [True, False]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.5], [True]) is None


def _query(split, signals, right):
    return Query(split, True, signals, np.ones(len(right), dtype=bool), np.array(right))


def test_fitting_weighs_the_signal_that_tells_the_right_candidate_apart():
    width = len(SIGNALS)
    right_has_signal_1 = np.zeros((2, width))
    right_has_signal_1[0, 0] = right_has_signal_1[1, 1] = 1.0  # a wrong candidate with signal 0, a right one with 1
    queries = [_query("dev", right_has_signal_1, [False, True])] * 5
    queries += [_query("heldout", right_has_signal_1[::-1], [False, True])]  # never fitted on
    weights = fit_weights(queries, steps=200)
    assert weights[1] > 0 > weights[0]
    slope, _ = fit_calibration(queries, weights)
    assert slope > 0  # a higher score reads as likelier


def test_the_probably_new_threshold_is_the_one_that_best_tells_new_needs_apart_on_the_sets_fitted_on():
    covered_curve = (10.0, 0.0, -5.0)  # best feature score 0.5: even odds that a feature covers the need
    one_signal = np.zeros((1, len(SIGNALS)))

    def ask(covered, best_score):
        signals = one_signal.copy()
        signals[0, 0] = best_score
        return Query("dev", covered, signals, np.ones(1, dtype=bool), np.array([covered]))

    weights = np.zeros(len(SIGNALS))
    weights[0] = 1.0
    # New needs score 0.42-0.44 (new_need 0.64-0.69), covered asks 0.6 and more (new_need 0.27 or less):
    # any threshold between them flags all three and nothing else; the highest such is chosen.
    one_set = [ask(False, s) for s in (0.42, 0.43, 0.44)] + [ask(True, s) for s in (0.6, 0.7)]
    another = [ask(True, s) for s in (0.8, 0.9)]
    assert fit_flag_threshold([one_set, another], weights, covered_curve) == 0.6


def test_a_feature_that_stands_out_from_the_others_reads_as_covering_the_need():
    # The same best score: among features that score alike it may be a near neighbour of a new need;
    # standing far above the others it is likelier the need's own feature.
    alike = [0.60, 0.58, 0.57, 0.57, 0.56, 0.55, 0.55, 0.54, 0.53, 0.52]
    stands_out = [0.60, 0.35, 0.34, 0.33, 0.32, 0.31, 0.30, 0.30, 0.29, 0.28]
    assert new_need_chance(stands_out) < new_need_chance(alike)
    assert new_need_chance([0.9, 0.3]) < new_need_chance([0.3, 0.2]) < 1.0 == new_need_chance([])


def test_the_new_need_curve_learns_that_a_need_beside_a_feature_does_not_stand_out():
    def ask(covered, scores):
        signals = np.zeros((len(scores), len(SIGNALS)))
        signals[:, 0] = scores
        return Query("dev", covered, signals, np.ones(len(scores), dtype=bool), np.zeros(len(scores), dtype=bool))

    weights = np.zeros(len(SIGNALS))
    weights[0] = 1.0
    stands_out, alike = [0.7, 0.3, 0.2], [0.7, 0.68, 0.66]
    # One set's new needs score low on every feature; the other's score as high as covered asks
    # do, but on several features alike: only how far the best stands out tells them apart.
    far = [ask(False, [0.2, 0.18, 0.1])] * 5 + [ask(True, stands_out)] * 20 + [ask(False, stands_out)]
    beside = [ask(False, alike)] * 3 + [ask(True, stands_out)] * 7 + [ask(True, alike)]
    curve = fit_new_need([far, beside], weights)
    # A higher best score, and one standing further out, read as covered.
    assert curve[0] > 0
    assert curve[1] > 0
    assert new_need_chance(alike, curve) > new_need_chance(stands_out, curve)
