from dataclasses import dataclass

import pytest

from tandem.sales.models import Stage
from tandem.sales.tests.factories import StageFactory


@dataclass
class Stages:
    open: Stage
    won: Stage
    lost: Stage


@pytest.fixture
def stages(db) -> Stages:
    return Stages(
        open=StageFactory(name="Discovery", order=1, default_probability=20),
        won=StageFactory(name="Closed won", order=8, default_probability=100, is_won=True, forecast_category="closed"),
        lost=StageFactory(
            name="Closed lost", order=9, default_probability=0, is_lost=True, forecast_category="omitted"
        ),
    )
