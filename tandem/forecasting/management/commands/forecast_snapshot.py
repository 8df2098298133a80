"""`manage.py forecast_snapshot`: take this week's forecast snapshot now (for cron, or by hand)."""

from typing import Any

from django.core.management.base import BaseCommand

from tandem.forecasting.services import forecast_snapshot_take


class Command(BaseCommand):
    help = "Take this week's forecast snapshot (per rep, current and next quarter); does nothing if it was taken."

    def handle(self, *args: Any, **options: Any) -> None:
        taken = forecast_snapshot_take()
        if taken is None:
            self.stdout.write("This week's forecast snapshot was already taken.")
        else:
            self.stdout.write(f"Forecast snapshot of the week of {taken.week.isoformat()}: {taken.snapshots} rows.")
