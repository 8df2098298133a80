"""Background work of commitments (django-tasks; `manage.py worker` runs it)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from tandem.commitments import services
from tandem.commitments.models import WarningDay


@task()
def commitment_warnings_task() -> int:
    """Send the day's warnings before commitment dates and the notices of those that broke; each
    commitment is warned about once and announced broken once."""
    return services.commitment_warnings_send() + services.commitment_breaks_send()


def commitment_warnings_enqueue_if_due() -> bool:
    """Queue today's warnings unless they were queued today: the first commitments page of a day
    does this (as the forecast's first page of a week takes its snapshot). Installations that want a
    fixed hour run `manage.py commitments_warn` from a timer. Returns whether it queued them."""
    today = timezone.localdate()
    if WarningDay.objects.filter(day=today).exists():
        return False
    try:
        with transaction.atomic():
            WarningDay.objects.create(day=today)
    except IntegrityError:  # another request queued them first
        return False
    transaction.on_commit(commitment_warnings_task.enqueue)
    return True
