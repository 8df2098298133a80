"""Reads of the engine's own rows. Users never see them directly; suggestions are filtered by
`ask_visible` and `feature_visible` before they are shown (`tandem/triage/suggestions.py`)."""

from django.db.models import QuerySet

from tandem.asks.selectors import ask_visible
from tandem.people.models import User
from tandem.product.selectors import feature_visible
from tandem.triage.models import AskVector, FeatureVector, IndexChange


def ask_vector_visible(*, user: User) -> QuerySet[AskVector]:
    return AskVector.objects.filter(ask__in=ask_visible(user=user))


def feature_vector_visible(*, user: User) -> QuerySet[FeatureVector]:
    return FeatureVector.objects.filter(feature__in=feature_visible(user=user))


def index_change_visible(*, user: User) -> QuerySet[IndexChange]:
    """Bookkeeping between processes, with nothing a user may read."""
    return IndexChange.objects.none()


# The engine's vectors and change log are written by the services that change asks and features,
# never by a person: nobody may change them.


def ask_vector_changeable(*, user: User) -> QuerySet[AskVector]:
    return AskVector.objects.none()


def feature_vector_changeable(*, user: User) -> QuerySet[FeatureVector]:
    return FeatureVector.objects.none()


def index_change_changeable(*, user: User) -> QuerySet[IndexChange]:
    return IndexChange.objects.none()
