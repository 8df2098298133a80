"""Background entry points of notifications; each calls a service."""

from django_tasks import task

from tandem.notifications import services


@task()
def notification_emails_send(*, notification_ids: list[int]) -> int:
    return services.notification_emails_send(notification_ids=notification_ids)
