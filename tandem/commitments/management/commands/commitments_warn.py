"""`manage.py commitments_warn`: send the warnings before commitment dates, and the notices of those
that broke, now (for a timer, or by hand)."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.commitments.services import commitment_breaks_send, commitment_warnings_send


class Command(BaseCommand):
    help = (
        "Warn reps, their managers and product managers of commitments due within two weeks, and tell them "
        "of commitments that broke (each once)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = commitment_warnings_send()
        broken = commitment_breaks_send()
        self.stdout.write(
            f"Warned about {sent} commitment{'s' if sent != 1 else ''}; "
            f"{broken} commitment{'s' if broken != 1 else ''} broke."
        )
