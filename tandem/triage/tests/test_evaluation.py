"""The suggestions keep their measured quality on the labelled set (figures in docs/triage.md)."""

import numpy as np

from tandem.triage.evaluation import Query, evaluate, fit_weights
from tandem.triage.suggestions import SIGNALS

# A little under the measured 0.871 and 0.966 (docs/triage.md); `manage.py triage_eval` prints them.
PRECISION_AT_1_FLOOR = 0.85
RECALL_AT_5_FLOOR = 0.94


def test_suggestions_find_the_same_need_on_the_labelled_set(db):
    whole = evaluate().by_split["all"]
    assert whole.counted >= 300
    assert whole.precision_at_1 >= PRECISION_AT_1_FLOOR, whole
    assert whole.recall_at_5 >= RECALL_AT_5_FLOOR, whole


def test_fitting_weighs_the_signal_that_tells_the_right_candidate_apart():
    width = len(SIGNALS)
    right_has_signal_1 = np.zeros((2, width))
    right_has_signal_1[0, 0] = right_has_signal_1[1, 1] = 1.0  # a wrong candidate with signal 0, a right one with 1
    queries = [Query("dev", right_has_signal_1, np.array([False, True]))] * 5
    queries += [Query("heldout", right_has_signal_1[::-1], np.array([False, True]))]  # never fitted on
    weights = fit_weights(queries, steps=200)
    assert weights[1] > 0 > weights[0]
