"""The full workspace export: every record of every kind, every column, as the admin downloads it."""

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from tandem.core.roles import Role
from tandem.core.workspace_export import (
    FORMAT,
    OMITTED,
    OMITTED_COLUMNS,
    WORKSPACE_MODELS,
    columns_of,
    file_name,
    tandem_app_labels,
    value_text,
)
from tandem.decisions.tests.factories import EscalationFactory
from tandem.leads.tests.factories import LeadFactory
from tandem.sales.tests.factories import AccountFactory
from tandem.tests.world import build_world

EXPORT = reverse("core:workspace_export")


def _download(client: Any) -> zipfile.ZipFile:
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="tandem-workspace-' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _rows(archive: zipfile.ZipFile, label: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(file_name(label)).decode("utf-8"))))


def test_every_kind_of_record_of_tandem_is_exported_or_left_out_for_a_reason():
    labels = {model._meta.label for model in apps.get_models(include_auto_created=True)}
    ours = {label for label in labels if label.split(".")[0] in tandem_app_labels()}
    assert ours - set(WORKSPACE_MODELS) - set(OMITTED) == set()
    assert set(WORKSPACE_MODELS) <= labels


def test_the_export_holds_every_record_and_every_column(
    client, admin_user, rep, outsider_rep, product_manager, other_rep
):
    world = build_world(rep=rep, outsider_rep=outsider_rep, product_manager=product_manager, teammate=other_rep)
    LeadFactory(owner=rep)
    EscalationFactory(ask=world.ask)
    world.feature.goals.add(world.goal)
    AccountFactory(owner=rep, name='=cmd|" /C calc"!A0', industry='Line one\nline two, "quoted"')
    client.force_login(admin_user)
    archive = _download(client)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == FORMAT
    assert [entry["model"] for entry in manifest["files"]] == WORKSPACE_MODELS
    for entry in manifest["files"]:
        model = apps.get_model(entry["model"])
        rows = _rows(archive, entry["model"])
        expected_columns = [
            field.attname
            for field in model._meta.concrete_fields
            if field.name not in OMITTED_COLUMNS.get(entry["model"], set())
        ]
        assert entry["columns"] == expected_columns == columns_of(model)
        assert entry["rows"] == len(rows) == model._base_manager.count(), entry["model"]
        # Every value of every record, exactly as stored.
        stored = {
            str(values[0]): [value_text(value) for value in values]
            for values in model._base_manager.values_list(*expected_columns)
        }
        assert {row[expected_columns[0]]: list(row.values()) for row in rows} == stored, entry["model"]
    assert _rows(archive, "sales.Opportunity")
    assert _rows(archive, "product.Feature_goals") == [
        {
            "id": _rows(archive, "product.Feature_goals")[0]["id"],
            "feature_id": str(world.feature.pk),
            "goal_id": str(world.goal.pk),
        }
    ]


def test_passwords_and_tokens_never_leave(client, admin_user, rep):
    client.force_login(admin_user)
    archive = _download(client)
    users = _rows(archive, "people.User")
    assert users
    assert "password" not in users[0]
    assert file_name("people.ApiToken") not in archive.namelist()
    assert rep.password not in b"".join(archive.read(name) for name in archive.namelist()).decode()


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMIN])
def test_only_an_admin_exports_the_workspace(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(EXPORT).status_code == 403


def test_the_profile_page_offers_the_export_to_admins_only(client, admin_user, executive):
    client.force_login(admin_user)
    assert EXPORT in client.get(reverse("people:profile")).content.decode()
    client.force_login(executive)
    assert EXPORT not in client.get(reverse("people:profile")).content.decode()
