import pytest
from django.db import connection

from tandem.core.models import Workspace


@pytest.mark.django_db
def test_postgresql_stops_planning_a_statement_its_connection_ran_five_times():
    """`DATABASE_PREPARED_STATEMENTS`: Django leaves psycopg's preparing off unless told a threshold,
    and server-side binding alone had prepared nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite plans nothing to keep")
    for _ in range(6):
        list(Workspace.objects.filter(pk=1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('FROM "core_workspace"' in statement for statement in statements)


@pytest.mark.django_db
def test_postgresql_compiles_no_query_of_tandems_with_jit():
    """`DATABASE_JIT_OFF`: JIT cost a report's query 100-160 ms of compiling (docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
