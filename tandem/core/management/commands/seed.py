"""`manage.py seed --scale demo|large --seed N`: fill an empty database with a believable workspace."""

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tandem.people.models import User
from tandem.seed.load import seed_workspace, workspace_tables_with_rows
from tandem.seed.scales import DEMO_PASSWORD, SCALES
from tandem.triage.services import triage_index_rebuild


class Command(BaseCommand):
    help = (
        "Generate a B2B software company's workspace (people, pipeline, quotas, roadmap, asks, "
        "decisions) into an empty database. The same --seed on the same --today gives the same data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The date the data is generated around (YYYY-MM-DD); default today.",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the workspace already has users.")
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: keep secondary indexes and foreign keys during the load (slower; for comparison).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The workspace already has users; not seeding.")
            return
        if tables := workspace_tables_with_rows():
            raise CommandError(
                f"The database already holds workspace data ({', '.join(tables)}). "
                "Seed only into an empty, migrated database, or pass --if-empty to skip."
            )
        scale = SCALES[options["scale"]]
        today = options["today"] or timezone.localdate()
        loads = seed_workspace(
            scale=scale,
            seed=options["seed"],
            today=today,
            progress=options["verbosity"] >= 1,
            defer_indexes=not options["keep_indexes"],
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"{'table':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
            for load in loads:
                rate = f"{load.rows / load.seconds:,.0f}" if load.rows and load.seconds else ""
                self.stdout.write(f"{load.table:<28}{load.rows:>12,}{load.seconds:>10.1f}{rate:>12}")
        # Last, so the demo has duplicate suggestions at once and the large workspace is ready to bench.
        started = time.perf_counter()
        features, asks = triage_index_rebuild(progress=options["verbosity"] >= 1)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Indexed {features} features and {asks} asks for duplicate suggestions "
                f"in {time.perf_counter() - started:.1f} s."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded the {scale.name} workspace (seed {options['seed']}, as of {today}). "
                f"Every user's password is {DEMO_PASSWORD!r}; `manage.py demo_logins` lists the demo logins."
            )
        )
