"""Background work of the product domain (django-tasks; `manage.py worker` runs it)."""

from django_tasks import task

from tandem.product import services


@task()
def feature_scores_recompute_task() -> int:
    """Rescore every feature after the scoring weights or a goal's weight changed."""
    return services.feature_scores_recompute_all()
