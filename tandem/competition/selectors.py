from django.db.models import QuerySet

from tandem.competition.models import Competitor
from tandem.core.roles import Role
from tandem.people.models import User


def competitor_visible(*, user: User) -> QuerySet[Competitor]:
    """Competitors are shared knowledge: everyone signed in sees them all."""
    return Competitor.objects.all()


def competitor_changeable(*, user: User) -> QuerySet[Competitor]:
    """Competitors are kept in the admin, by admins."""
    return Competitor.objects.all() if user.role == Role.ADMIN else Competitor.objects.none()
