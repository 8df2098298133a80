"""The sales process used by these tests: two open stages, won and lost."""

from dataclasses import dataclass

import pytest

from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User
from tandem.sales.models import Stage
from tandem.sales.tests.factories import StageFactory


@dataclass
class Stages:
    discovery: Stage
    proposal: Stage
    won: Stage
    lost: Stage


@pytest.fixture
def stages(db) -> Stages:
    F = Stage.ForecastCategory
    return Stages(
        discovery=StageFactory.create(name="Discovery", order=1, default_probability=20, forecast_category=F.PIPELINE),
        proposal=StageFactory.create(name="Proposal", order=2, default_probability=60, forecast_category=F.BEST_CASE),
        won=StageFactory.create(
            name="Closed won", order=8, default_probability=100, forecast_category=F.CLOSED, is_won=True
        ),
        lost=StageFactory.create(
            name="Closed lost", order=9, default_probability=0, forecast_category=F.OMITTED, is_lost=True
        ),
    )


@pytest.fixture
def bearer():
    """`bearer(user)` → the Authorization header of a fresh personal token of that user."""

    def make(user: User) -> dict[str, str]:
        key = token_generate()
        ApiToken.objects.create(user=user, name="tests", prefix=key[:8], digest=token_digest(key))
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make
