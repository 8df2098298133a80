import pytest

from tandem.competition.models import Competitor
from tandem.competition.tests.factories import BattlecardFactory


@pytest.fixture
def rival(db) -> Competitor:
    """A competitor with its (empty) battlecard, as `competitor_create` leaves it."""
    return BattlecardFactory(competitor__name="Globex CRM").competitor
