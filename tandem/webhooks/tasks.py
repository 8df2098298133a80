"""Background entry points of webhooks; each calls a service."""

from django_tasks import task

from tandem.webhooks import services


@task()
def delivery_send_task(*, delivery_id: int) -> str:
    return services.delivery_attempt(delivery_id=delivery_id).status
