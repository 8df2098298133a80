"""Two admins editing one record: the second save is refused with a reason, and the first one's
change stays. Every admin that edits records of ours works so."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tandem.competition.models import Competitor
from tandem.core.admin import STALE_EDIT, ServiceOwnedAdmin, StaleEditsRefused
from tandem.core.models import Workspace
from tandem.core.roles import Role
from tandem.core.tests.admin_forms import change_form_data
from tandem.people.models import Team
from tandem.people.tests.factories import UserFactory
from tandem.product.models import Product
from tandem.sales.models import Stage
from tandem.sales.tests.factories import OpportunityFactory, StageFactory


def test_a_save_over_another_admins_change_is_refused_and_loses_it_not(client, admin_user):
    proposal = StageFactory(name="Proposal", default_probability=60)
    url = reverse("admin:sales_stage_change", args=[proposal.pk])
    other = UserFactory(username="other.admin", role=Role.ADMIN)
    client.force_login(admin_user)
    mine = change_form_data(client, url, default_probability=55)
    client.force_login(other)
    assert client.post(url, change_form_data(client, url, name="Proposal sent")).status_code == 302

    client.force_login(admin_user)
    refused = client.post(url, mine)

    assert refused.status_code == 200
    assert STALE_EDIT in refused.content.decode()
    stage = Stage.objects.get(pk=proposal.pk)
    assert (stage.name, stage.default_probability) == ("Proposal sent", 60)

    again = client.post(url, change_form_data(client, url, default_probability=55))
    assert again.status_code == 302
    stage.refresh_from_db()
    assert (stage.name, stage.default_probability) == ("Proposal sent", 55)


def _workspace() -> Workspace:
    return Workspace.objects.get_or_create(id=1, defaults={"name": "Acme"})[0]


@pytest.mark.parametrize(
    ("admin_name", "record", "changed_elsewhere", "edit"),
    [
        ("core_workspace", _workspace, {"name": "Acme Inc."}, {"name": "Acme Corp"}),
        ("product_product", lambda: Product.objects.create(name="Platform"), {"name": "Core"}, {"name": "Suite"}),
        (
            "competition_competitor",
            lambda: Competitor.objects.create(name="Rival"),
            {"name": "Rival Co"},
            {"name": "R"},
        ),
        ("people_team", lambda: Team.objects.create(name="East"), {"name": "East 1"}, {"name": "East A"}),
        ("people_user", lambda: UserFactory(first_name="Kim"), {"first_name": "Kimberly"}, {"first_name": "Kit"}),
    ],
)
def test_each_editing_admin_refuses_a_stale_save(client, admin_user, admin_name, record, changed_elsewhere, edit):
    record = record()
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    client.force_login(admin_user)
    stale = change_form_data(client, url, **edit)
    type(record).objects.filter(pk=record.pk).update(**changed_elsewhere)

    refused = client.post(url, stale)

    assert refused.status_code == 200
    assert STALE_EDIT in refused.content.decode()
    record.refresh_from_db()
    assert all(getattr(record, name) == value for name, value in changed_elsewhere.items())
    assert client.post(url, change_form_data(client, url, **edit)).status_code == 302
    record.refresh_from_db()
    assert all(getattr(record, name) == value for name, value in edit.items())


def test_a_change_to_a_column_the_form_does_not_edit_is_no_conflict(client, admin_user):
    workspace = _workspace()
    OpportunityFactory()  # from now on the fiscal year's first month is read-only in the admin
    url = reverse("admin:core_workspace_change", args=[workspace.pk])
    client.force_login(admin_user)
    form = change_form_data(client, url, name="Acme Corp")
    Workspace.objects.filter(pk=workspace.pk).update(fiscal_year_start_month=4)

    assert client.post(url, form).status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.fiscal_year_start_month) == ("Acme Corp", 4)


def test_every_admin_that_edits_our_records_refuses_stale_edits():
    editing = {
        model._meta.label: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_config.name.startswith("tandem.") and not isinstance(model_admin, ServiceOwnedAdmin)
    }
    assert "sales.Stage" in editing
    assert [label for label, model_admin in editing.items() if not isinstance(model_admin, StaleEditsRefused)] == []
