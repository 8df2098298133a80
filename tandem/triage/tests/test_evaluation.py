"""The suggestions keep their measured quality on the labelled set (figures in docs/triage.md)."""

from tandem.triage.evaluation import evaluate

# A little under the measured 0.721 and 0.920 (docs/triage.md); `manage.py triage_eval` prints them.
PRECISION_AT_1_FLOOR = 0.70
RECALL_AT_5_FLOOR = 0.90


def test_suggestions_find_the_same_need_on_the_labelled_set(db):
    whole = evaluate().by_split["all"]
    assert whole.counted >= 300
    assert whole.precision_at_1 >= PRECISION_AT_1_FLOOR, whole
    assert whole.recall_at_5 >= RECALL_AT_5_FLOOR, whole
