"""`manage.py import_workspace PATH`: load a workspace export into this empty Tandem (docs/exporting.md)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tandem.core import formats
from tandem.core.workspace_import import workspace_import


class Command(BaseCommand):
    help = (
        "Import a workspace export (the zip an admin downloads from the profile page) into this Tandem, which "
        "must hold no records and no people: every record keeps its id. Nothing is written if any check fails. "
        "People then set their passwords with 'Forgot your password?' (or manage.py changepassword)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="The workspace export's zip (tandem-workspace-….zip).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = workspace_import(source=options["path"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for label, rows in summary.rows.items():
            if rows:
                self.stdout.write(f"{label}: {formats.number(rows)}")
        self.stdout.write(
            self.style.SUCCESS(f"Imported {formats.number(summary.records)} records. ")
            + "The worker (manage.py worker) now rebuilds the triage suggestions."
        )
