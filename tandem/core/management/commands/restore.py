"""`manage.py restore`: put a backup into an empty database and prove it came back whole (docs/backup.md)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tandem.core.backup import BackupError, Verification, backup_restore, backup_verify, manifest_read


class Command(BaseCommand):
    help = (
        "Restore a backup (its .dump, .sqlite3 or .json) into the configured database, which must be empty, "
        "then compare every table's rows and checksum and the migrations with what the backup recorded and "
        "run the system checks. With --check-only, compare without restoring."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("backup", type=Path, help="The backup's file or its manifest (.json).")
        parser.add_argument(
            "--jobs", type=int, default=1, help="pg_restore jobs; above 1 it is no longer one transaction."
        )
        parser.add_argument(
            "--check-only", action="store_true", help="Only compare the configured database with the backup."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check_only"]:
                manifest, _ = manifest_read(options["backup"])
                result = backup_verify(manifest=manifest)
            else:
                result = backup_restore(path=options["backup"], jobs=options["jobs"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._report(result)
        call_command("check", databases=["default"], stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("System checks passed on the restored database.")

    def _report(self, result: Verification) -> None:
        self.stdout.write("seconds: " + ", ".join(f"{step} {seconds}" for step, seconds in result.seconds.items()))
        for line in result.checked:
            self.stdout.write(f"ok: {line}")
        for line in result.notes:
            self.stdout.write(f"note: {line}")
        if result.problems:
            for line in result.problems:
                self.stderr.write(f"MISMATCH: {line}")
            count = len(result.problems)
            raise CommandError(f"The database does not match the backup: {count} problem{'s' * (count != 1)} (above).")
