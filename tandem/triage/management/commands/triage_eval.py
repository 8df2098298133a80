"""`manage.py triage_eval`: measure the duplicate suggestions on the labelled set of asks."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from tandem.triage import suggestions
from tandem.triage.evaluation import evaluate, fit_weights, shared_words_baseline


class Command(BaseCommand):
    help = (
        "Triage the labelled asks (tandem/triage/tests/fixtures/labelled_asks.json) in arrival order in a "
        "throw-away test database and print precision of the first suggestion and recall in the first five, "
        "for the engine and for the shared-words baseline it replaced."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--misses", action="store_true", help="List the asks whose first suggestion was wrong.")
        parser.add_argument(
            "--fit",
            action="store_true",
            help="Fit the scorer's weights on the dev split, print them and the figures they give.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A workspace's own asks and features would compete with the labelled ones: measure apart.
        setup_test_environment()
        weights = suggestions.WEIGHTS
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            if options["fit"]:
                self._fit()
            for name, engine in (("engine", None), ("shared-words baseline", shared_words_baseline)):
                result = evaluate(engine=engine) if engine else evaluate()
                self.stdout.write(name)
                for split, figures in result.by_split.items():
                    self.stdout.write(f"  {split:8} {figures}")
                if options["misses"] and engine is None:
                    self.stdout.write("\n".join(f"  {miss}" for miss in result.misses))
        finally:
            suggestions.WEIGHTS = weights
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def _fit(self) -> None:
        """Fit, then measure with the fitted weights (the rest of the run uses them too)."""
        queries = evaluate(candidates=True).queries
        suggestions.WEIGHTS = fit_weights(queries)
        self.stdout.write("fitted on dev:")
        for name, weight in zip(suggestions.SIGNALS, suggestions.WEIGHTS.tolist(), strict=True):
            self.stdout.write(f"  {weight:8.4f}  {name}")
        self.stdout.write("  as code: WEIGHTS = np.array([" + ", ".join(f"{w:.4f}" for w in suggestions.WEIGHTS) + "])")
