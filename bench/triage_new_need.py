"""Which reading of an ask's candidates best tells a need no feature covers from one a feature does?

    DJANGO_SETTINGS_MODULE=tandem.settings.test python -m bench.triage_new_need [--set NAME ...]

Triages each labelled set in arrival order exactly as `manage.py triage_eval` does, keeping every
ask's candidates and their signals, then reads each ask's feature candidates' scores (today's
weights) in a few ways and prints the new-need AUROC of each (how often an ask of a need no
feature covers reads as newer than one a feature covers), whole set and per split:

- `best` (today's `Triage.new_need`): the best feature's score, lower is newer;
- `margin`: how far the best feature stands above the second, smaller is newer (a new need near
  two features scores alike on both; a covered need's own feature stands out);
- `above the rest`: the best score above the mean of the shortlisted features' scores;
- `z`: the same in standard deviations of those scores;
- `best + margin`: a logistic curve on both (three parameters) fitted on halcyon dev.

By default only halcyon and crewline, the sets already used for fitting and choosing: running it on
a set kept for measuring makes that set one used for choosing (docs/triage.md). An experiment: it asserts nothing.
"""

import argparse
from collections.abc import Callable

import django
import numpy as np

Array = np.ndarray


def readings(scores: Array) -> dict[str, float]:
    """How 'covered' an ask reads by its feature candidates' scores (higher: likelier covered)."""
    s = np.sort(scores)[::-1] if len(scores) else np.array([-1.0])
    second = s[1] if len(s) > 1 else s[0] - 1.0
    return {
        "best": float(s[0]),
        "margin": float(s[0] - second),
        "above the rest": float(s[0] - s.mean()),
        "z": float((s[0] - s.mean()) / (s.std() + 1e-6)),
    }


def collect(name: str) -> list[tuple[str, bool, dict[str, float]]]:
    from tandem.triage import evaluation, suggestions

    result = evaluation.evaluate(evaluation.labelled_set(name), candidates=True)
    rows = []
    for q in result.queries:
        scores = q.signals[q.features] @ suggestions.WEIGHTS if len(q.signals) else np.zeros(0)
        rows.append((q.split, q.covered, readings(scores)))
    return rows


def fit_two(rows: list[tuple[str, bool, dict[str, float]]]) -> Callable[[dict[str, float]], float]:
    """A logistic curve on (best, margin) fitted on these rows: the chance a feature covers the need."""
    x = np.array([[r["best"], r["margin"], 1.0] for _, _, r in rows])
    y = np.array([covered for _, covered, _ in rows], dtype=float)
    w = np.zeros(3)
    for _ in range(200):  # Newton's method on the log-loss
        p = 1 / (1 + np.exp(-x @ w))
        h = (x * (p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(3)
        w -= np.linalg.solve(h, x.T @ (p - y))
    print(f"  best + margin, fitted on halcyon dev: {w[0]:.3f} x best + {w[1]:.3f} x margin + {w[2]:.3f}")
    return lambda r: float(w[0] * r["best"] + w[1] * r["margin"] + w[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--set", dest="sets", action="append", help="A labelled set (default: those used for fitting or choosing)."
    )
    args = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tandem.triage.evaluation import auroc

    names = args.sets or ["halcyon", "crewline"]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        halcyon = collect("halcyon")
        combined = fit_two([r for r in halcyon if r[0] == "dev"])
        for name in names:
            rows = halcyon if name == "halcyon" else collect(name)
            print(f"\n{name}: new-need AUROC, whole / dev / heldout")
            for label in ("best", "margin", "above the rest", "z", "best + margin"):
                cells = []
                for split in ("all", "dev", "heldout"):
                    part = [r for r in rows if split in ("all", r[0])]
                    covered = [
                        combined(r) if label == "best + margin" else r[label] for _, _, r in part
                    ]  # higher reads as covered: its negative ranks new needs first
                    value = auroc([-c for c in covered], [not is_covered for _, is_covered, _ in part])
                    cells.append("  -  " if value is None else f"{value:.3f}")
                print(f"  {label:16} " + " / ".join(cells))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
