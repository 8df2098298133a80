"""`manage.py digest_send`: send this period's product digest to sales now (each reader once)."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.launches.digest import digests_send


class Command(BaseCommand):
    help = "Send the current period's product digest to every rep and sales manager who has not had it."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Sent the digest to {digests_send()} people.")
