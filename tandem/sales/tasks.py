"""Background work of the sales domain (django-tasks; `manage.py worker` runs it)."""

import datetime

from django_tasks import task

from tandem.sales import services


@task()
def home_amounts_follow_rates_task(currency: str, since: str) -> int:
    """A rate of `currency` was added, corrected or removed: recompute the deals it converts."""
    return services.home_amounts_follow_rates(currency=currency, since=datetime.date.fromisoformat(since))
