"""Fixtures the asks tests share."""

import pytest

from tandem.sales.models import Stage
from tandem.sales.tests.factories import StageFactory


@pytest.fixture
def stages(db) -> dict[str, Stage]:
    """An open stage and the two closed ones, for asks whose deals move and close."""
    return {
        "open": StageFactory(name="Proposal", order=3, default_probability=40),
        "won": StageFactory(name="Closed won", order=8, default_probability=100, is_won=True),
        "lost": StageFactory(name="Closed lost", order=9, default_probability=0, is_lost=True),
    }
