"""`manage.py triage_index`: compute every ask's and feature's vector, e.g. after a seed or an import."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from tandem.triage.services import triage_index_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the duplicate-suggestion vectors of every feature and ask from their wording and links. "
        "Running web processes reload their index on their next call."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        features, asks = triage_index_rebuild(progress=options["verbosity"] > 1)
        self.stdout.write(f"Indexed {features} features and {asks} asks in {time.perf_counter() - started:.1f} s.")
