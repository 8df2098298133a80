import pytest

from tandem.triage.index import forget_index


@pytest.fixture(autouse=True)
def fresh_index():
    """Each test's database is rolled back afterwards; the process's index must not remember it."""
    forget_index()
    yield
    forget_index()
