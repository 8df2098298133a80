"""Background entry points of the people domain; each calls a service."""

from django_tasks import task


@task()
def security_notice_email(*, user_id: int, subject: str, body: str) -> int:
    from tandem.people import services  # services enqueue this task: import at run time

    return services.security_notice_email(user_id=user_id, subject=subject, body=body)
