"""Which reading of an ask's candidates best tells a need no feature covers from one a feature does?

    DJANGO_SETTINGS_MODULE=tandem.settings.test python -m bench.triage_new_need [--set NAME ...]

Triages each labelled set in arrival order exactly as `manage.py triage_eval` does, keeping every
ask's candidates and their signals, then reads each ask's feature candidates' scores (today's
weights) in a few ways and prints the new-need AUROC of each (how often an ask of a need no
feature covers reads as newer than one a feature covers), whole set and per split:

- `best`: the best feature's score, lower is newer (`Triage.new_need` until 2026-12-08);
- `margin`: how far the best feature stands above the second, smaller is newer (a new need near
  two features scores alike on both; a covered need's own feature stands out);
- `above the rest`: the best score above the mean of the shortlisted features' scores;
- `z`: the same in standard deviations of those scores;
- `standout`: the same among the ten best features only (`suggestions.covered_reading`), so that
  it does not depend on how many features were shortlisted;
- `best + standout`: today's `Triage.new_need`, the logistic curve `triage_eval --fit` fits on
  every ask of halcyon, crewline and haulmark, each set weighing the same (three parameters).

By default only halcyon, crewline and haulmark, the sets already used for fitting and choosing
"probably new": running it on a set kept for measuring makes that set one used for choosing
(docs/triage.md). An experiment: it asserts nothing.
"""

import argparse

import django
import numpy as np

Array = np.ndarray
FITTED_ON = ("halcyon", "crewline", "haulmark")


def readings(scores: Array) -> dict[str, float]:
    """How 'covered' an ask reads by its feature candidates' scores (higher: likelier covered)."""
    from tandem.triage import suggestions

    s = np.sort(scores)[::-1] if len(scores) else np.array([-1.0])
    second = s[1] if len(s) > 1 else s[0] - 1.0
    return {
        "best": float(s[0]),
        "margin": float(s[0] - second),
        "above the rest": float(s[0] - s.mean()),
        "z": float((s[0] - s.mean()) / (s.std() + 1e-6)),
        "standout": suggestions.covered_reading(scores.tolist())[1],
        "best + standout": 1 - suggestions.new_need_chance(scores.tolist()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--set", dest="sets", action="append", help="A labelled set (default: those used for fitting or choosing)."
    )
    args = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tandem.triage import evaluation, suggestions

    names = args.sets or list(FITTED_ON)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        queries = {n: evaluation.evaluate(evaluation.labelled_set(n), candidates=True).queries for n in names}
        for name in names:
            rows = [
                (
                    q.split,
                    q.covered,
                    readings(q.signals[q.features] @ suggestions.WEIGHTS if len(q.signals) else np.zeros(0)),
                )
                for q in queries[name]
            ]
            print(f"\n{name}: new-need AUROC, whole / dev / heldout")
            for label in rows[0][2]:
                cells = []
                for split in ("all", "dev", "heldout"):
                    part = [r for r in rows if split in ("all", r[0])]
                    # higher reads as covered: its negative ranks new needs first
                    value = evaluation.auroc([-r[label] for _, _, r in part], [not c for _, c, _ in part])
                    cells.append("  -  " if value is None else f"{value:.3f}")
                print(f"  {label:16} " + " / ".join(cells))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
