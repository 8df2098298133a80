from django.db.models import QuerySet

from tandem.competition.models import Competitor
from tandem.people.models import User


def competitor_visible(*, user: User) -> QuerySet[Competitor]:
    """Competitors are shared knowledge: everyone signed in sees them all."""
    return Competitor.objects.all()
