"""The restore rehearsal: back up a workspace, restore it into an empty database with `manage.py restore`
as an operator would (its own process, production settings), and check it came back whole."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from tandem.asks.models import Ask
from tandem.core.tests.processes import ROOT, database_url, production_env
from tandem.sales.models import Opportunity
from tandem.tests.world import World, build_world

# Committed data: pg_dump and SQLite's backup copy what other connections can see.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(rep, outsider_rep, product_manager, other_rep) -> World:
    return build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)


def _manage(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=production_env(database), capture_output=True, text=True
    )


def _backup(directory: Path, keep: int = 14) -> dict:
    call_command("backup", dir=directory, keep=keep, stdout=open("/dev/null", "w"))  # noqa: SIM115
    newest = max(directory.glob("tandem-*.json"))
    return json.loads(newest.read_text())


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the suite's kind: PostgreSQL beside the test database (dropped
    afterwards), or an SQLite file."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = database_url({**connection.settings_dict, "NAME": "postgres"})
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield database_url({**connection.settings_dict, "NAME": name})
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(drop)


def test_postgresql_backup_restores_into_an_empty_database_and_proves_it(world, tmp_path, empty_database):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL; the SQLite rehearsal is the next test")
    manifest = _backup(tmp_path)
    assert manifest["file"].endswith(".dump")
    assert manifest["tables"]["asks_ask"]["rows"] == Ask.objects.count() > 0
    # the rep's, the other team's, the rep's on a team-mate's account, the team-mate's on the rep's
    assert manifest["tables"]["sales_opportunity"]["rows"] == Opportunity.objects.count() == 4

    restored = _manage("restore", str(tmp_path / manifest["file"]), database=empty_database)

    assert restored.returncode == 0, restored.stderr
    tables = len(manifest["tables"])
    assert f"ok: {tables} tables" in restored.stdout
    assert "counts and checksums as recorded" in restored.stdout
    assert f"ok: {len(manifest['migrations'])} migrations applied, as recorded" in restored.stdout
    assert "System checks passed on the restored database." in restored.stdout
    with psycopg.connect(empty_database) as conn:
        row = conn.execute("SELECT need FROM asks_ask WHERE id = %s", [world.ask.pk]).fetchone()
    assert row == (world.ask.need,)

    # A second restore would mix two workspaces: refused.
    again = _manage("restore", str(tmp_path / manifest["file"]), database=empty_database)
    assert again.returncode != 0
    assert "The configured database is not empty" in again.stderr

    # A changed value is caught by the checksum even when every count still matches.
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("UPDATE asks_ask SET need = need || '.' WHERE id = %s", [world.ask.pk])
    checked = _manage("restore", "--check-only", str(tmp_path / manifest["file"]), database=empty_database)
    assert checked.returncode != 0
    asks = manifest["tables"]["asks_ask"]["rows"]
    assert f"MISMATCH: table asks_ask: {asks} rows as recorded, but their values differ" in checked.stderr


def test_sqlite_backup_uses_the_online_backup_api_and_restores_whole(world, tmp_path, empty_database):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's online backup API; the PostgreSQL rehearsal is the test before")
    manifest = _backup(tmp_path)
    assert manifest["file"].endswith(".sqlite3")
    with sqlite3.connect(tmp_path / manifest["file"]) as copy:  # a plain SQLite file anyone can open
        assert copy.execute("SELECT count(*) FROM asks_ask").fetchone() == (Ask.objects.count(),)
    restored = _manage("restore", str(tmp_path / manifest["file"]), database=empty_database)

    assert restored.returncode == 0, restored.stderr
    assert "counts and checksums as recorded" in restored.stdout
    assert "System checks passed on the restored database." in restored.stdout
    with sqlite3.connect(empty_database.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT need FROM asks_ask WHERE id = ?", [world.ask.pk]).fetchone() == (world.ask.need,)
        conn.execute("DELETE FROM asks_decision")
    checked = _manage("restore", "--check-only", str(tmp_path / manifest["file"]), database=empty_database)
    assert checked.returncode != 0
    assert "MISMATCH: table asks_decision: 0 rows, the backup had 1" in checked.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(world, tmp_path, empty_database):
    manifest = _backup(tmp_path)
    copy = tmp_path / manifest["file"]
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))

    restored = _manage("restore", str(copy), database=empty_database)

    assert restored.returncode != 0
    assert f"{manifest['file']} is damaged: its size or SHA-256 is not what the backup recorded." in restored.stderr
    checked = _manage("restore", "--check-only", str(copy), database=empty_database)
    assert "MISMATCH: table asks_ask is missing" in checked.stderr  # nothing was restored


def test_backups_beyond_the_number_kept_are_removed_oldest_first(world, tmp_path):
    kept_by_hand = tmp_path / "notes.txt"
    kept_by_hand.write_text("an operator's file")
    first = _backup(tmp_path, keep=2)
    second = _backup(tmp_path, keep=2)
    third = _backup(tmp_path, keep=2)

    names = sorted(path.name for path in tmp_path.iterdir())
    expected = [second["file"], third["file"]]
    expected += [name.rsplit(".", 1)[0] + ".json" for name in expected]
    assert names == sorted([*expected, "notes.txt"])
    assert first["file"] not in names
