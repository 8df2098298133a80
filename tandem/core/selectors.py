from django.db.models import QuerySet

from tandem.core.models import ExchangeRate, RateCounter, Workspace
from tandem.people.models import User


def workspace_visible(*, user: User) -> QuerySet[Workspace]:
    """The company's name, currency and calendar are shown to everyone signed in."""
    return Workspace.objects.all()


def exchange_rate_visible(*, user: User) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.all()


def rate_counter_visible(*, user: User) -> QuerySet[RateCounter]:
    """Request counters are the server's bookkeeping (tandem.core.ratelimit): shown to nobody."""
    return RateCounter.objects.none()
