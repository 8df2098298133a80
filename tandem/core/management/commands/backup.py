"""`manage.py backup`: copy the database with a manifest of what it holds, keep the newest N (docs/backup.md)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tandem.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database into BACKUP_DIR: pg_dump's custom format on PostgreSQL, SQLite's online "
        "backup API on SQLite, each with a manifest (row counts and checksums of every table, migrations, "
        "SHA-256). Then keep only the newest BACKUP_KEEP backups there."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Where to write (default: BACKUP_DIR).")
        parser.add_argument("--keep", type=int, default=None, help="How many backups to keep (default: BACKUP_KEEP).")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or Path(settings.BACKUP_DIR)
        keep = options["keep"] if options["keep"] is not None else settings.BACKUP_KEEP
        if keep < 1:
            raise CommandError("--keep must be 1 or more: the backup just made is always kept.")
        try:
            manifest = backup_create(directory=directory, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables, {rows:,} rows, into {directory / manifest['file']} "
            f"({manifest['bytes'] / 2**20:,.1f} MB) in {manifest['seconds']} s; manifest {manifest['manifest']}"
        )
        for path in manifest["removed"]:
            self.stdout.write(f"Removed {path} (older than the newest {keep})")
