"""`manage.py triage_eval`: measure the duplicate suggestions on every labelled set of asks."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from tandem.triage import sentences, suggestions
from tandem.triage.evaluation import (
    SETS,
    evaluate,
    fit_calibration,
    fit_flag_threshold,
    fit_new_need,
    fit_weights,
    labelled_set,
    shared_words_baseline,
)

FITTED_ON = "halcyon"  # the set whose dev split `--fit` fits the weights and the calibration on
# The sets whose every ask `--fit` fits "probably new" on (its curve and threshold): halcyon's new
# needs lie far from every feature, crewline's and haulmark's beside one.
NEW_NEED_FITTED_ON = ("halcyon", "crewline", "haulmark")


class Command(BaseCommand):
    help = (
        "Triage each labelled set (tandem/triage/tests/fixtures) in arrival order in a throw-away test database, "
        "as a PM would, and print per set and split: precision of the first suggestion, recall in the first five, "
        "the new-need AUROC, the cluster recall and the 'probably new' flag's precision and recall; and which "
        "sets were used for fitting."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--set", dest="sets", action="append", help="Only this set (repeatable).")
        parser.add_argument("--misses", action="store_true", help="List the asks whose first suggestion was wrong.")
        parser.add_argument(
            "--fit",
            action="store_true",
            help=(
                f"Fit the scorer's weights and calibration on {FITTED_ON}'s dev split, and 'probably new' on every "
                f"ask of {', '.join(NEW_NEED_FITTED_ON)}; print them, measure with them."
            ),
        )
        parser.add_argument(
            "--learning",
            action="store_true",
            help="Also triage each set with links that teach nothing, and by arrival quarter: what links teach.",
        )
        parser.add_argument("--baseline", action="store_true", help="Also measure the shared-words baseline.")

    def handle(self, *args: Any, **options: Any) -> None:
        # A workspace's own asks and features would compete with the labelled ones: measure apart.
        setup_test_environment()
        saved = suggestions.WEIGHTS, suggestions.CALIBRATION, suggestions.COVERED, suggestions.NEW_NEED_AT
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            if options["fit"]:
                self._fit()
            self.stdout.write(f"sentence model: {sentences.variant()}")
            for labelled in SETS:
                if options["sets"] and labelled.name not in options["sets"]:
                    continue
                self._measure(labelled, options)
        finally:
            suggestions.WEIGHTS, suggestions.CALIBRATION, suggestions.COVERED, suggestions.NEW_NEED_AT = saved
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def _measure(self, labelled: Any, options: dict[str, Any]) -> None:
        data = labelled.load()
        fitted = labelled.fitted or "nothing (never used for fitting or choosing)"
        self.stdout.write(
            f"\n{labelled.name}: {len(data['features'])} features, {len(data['asks'])} asks. Used for fitting: {fitted}"
        )
        result = evaluate(labelled)
        for split in ("all", "dev", "heldout"):
            self.stdout.write(f"  {split:8} {result.figures(split)}")
        halves = result.by_arrival(2)
        self.stdout.write(
            f"  by arrival, first half -> second half: p@1 {halves[0].precision_at_1:.3f} -> "
            f"{halves[1].precision_at_1:.3f}, r@5 {halves[0].recall_at_5:.3f} -> {halves[1].recall_at_5:.3f}"
        )
        if options["learning"]:
            unlearnt = evaluate(labelled, learning=False)
            for name, run in (("links teach", result), ("links teach nothing", unlearnt)):
                quarters = "  ".join(f"{q.precision_at_1:.3f}/{q.recall_at_5:.3f}" for q in run.by_arrival(4))
                self.stdout.write(f"  {name:20} all: {run.figures()}")
                self.stdout.write(f"  {'':20} p@1/r@5 by arrival quarter: {quarters}")
        if options["baseline"]:
            self.stdout.write(f"  shared-words baseline: {evaluate(labelled, engine=shared_words_baseline).figures()}")
        if options["misses"]:
            self.stdout.write("\n".join(f"    {miss}" for miss in result.misses))

    def _fit(self) -> None:
        """Fit the scorer on one set's dev split and "probably new" on three sets' asks; the rest of the
        run measures with what was fitted."""
        queries = {name: evaluate(labelled_set(name), candidates=True).queries for name in NEW_NEED_FITTED_ON}
        suggestions.WEIGHTS = fit_weights(queries[FITTED_ON])
        suggestions.CALIBRATION = fit_calibration(queries[FITTED_ON], suggestions.WEIGHTS)
        suggestions.COVERED = fit_new_need(list(queries.values()), suggestions.WEIGHTS)
        suggestions.NEW_NEED_AT = fit_flag_threshold(list(queries.values()), suggestions.WEIGHTS, suggestions.COVERED)
        self.stdout.write(f"fitted on {FITTED_ON} dev:")
        for name, weight in zip(suggestions.SIGNALS, suggestions.WEIGHTS.tolist(), strict=True):
            self.stdout.write(f"  {weight:8.4f}  {name}")
        self.stdout.write("  as code: WEIGHTS = np.array([" + ", ".join(f"{w:.4f}" for w in suggestions.WEIGHTS) + "])")
        self.stdout.write("  CALIBRATION = ({:.4f}, {:.4f})".format(*suggestions.CALIBRATION))
        self.stdout.write(f"fitted on every ask of {', '.join(NEW_NEED_FITTED_ON)}:")
        self.stdout.write("  COVERED = ({:.4f}, {:.4f}, {:.4f})".format(*suggestions.COVERED))
        self.stdout.write(f"  NEW_NEED_AT = {suggestions.NEW_NEED_AT}")
