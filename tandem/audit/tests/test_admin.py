"""The Django admin's changes to followed records are in the trail too, and the trail itself is
read-only there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tandem.audit.audited_admin import AuditedAdmin
from tandem.audit.models import AuditEntry
from tandem.audit.records import RECORD_TYPES
from tandem.audit.tests.factories import AuditEntryFactory
from tandem.core.admin import ServiceOwnedAdmin
from tandem.core.roles import Role
from tandem.core.tests.admin_forms import change_form_data
from tandem.people.models import Team
from tandem.people.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
A = AuditEntry.Action

# Admins whose saves go through a service, which records them itself.
SAVED_BY_SERVICES = {"core.exchangerate"}


def test_every_admin_that_changes_a_followed_record_records_it():
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label not in RECORD_TYPES or label in SAVED_BY_SERVICES or isinstance(model_admin, ServiceOwnedAdmin):
            continue
        assert isinstance(model_admin, AuditedAdmin), f"{label}'s admin changes it unrecorded: make it an AuditedAdmin"


def test_an_admin_giving_someone_a_role_and_a_team_is_recorded_with_before_and_after(client, admin_user, sales_team):
    person = UserFactory(role=Role.REP, team=None)
    client.force_login(admin_user)
    url = reverse("admin:people_user_change", args=[person.pk])

    data = change_form_data(client, url, role=Role.SALES_MANAGER, team=sales_team.pk, is_active=False)
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = AuditEntry.objects.filter(record_type="people.user")
    assert (entry.actor, entry.action, entry.channel) == (admin_user, A.CHANGED, AuditEntry.Channel.ADMIN)
    assert entry.changes == {
        "role": ["rep", "sales_manager"],
        "team": [None, {"id": sales_team.pk, "label": sales_team.name}],
        "is_active": [True, False],
    }
    assert entry.request_id == response["X-Request-ID"]


def test_a_new_password_set_in_the_admin_is_recorded_but_never_its_hash(client, admin_user):
    person = UserFactory()
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    new = "a-brand-new-passphrase-42"

    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})

    assert response.status_code == 302
    [entry] = AuditEntry.objects.filter(record_type="people.user", record_id=person.pk)
    assert entry.changes == {"password": ["hidden", "replaced"]}
    person.refresh_from_db()
    assert str(person.password) not in str(entry.changes)


def test_a_team_added_changed_and_deleted_in_the_admin_is_recorded(client, admin_user, sales_manager):
    client.force_login(admin_user)

    client.post(reverse("admin:people_team_add"), {"name": "EMEA North", "kind": "sales", "manager": sales_manager.pk})
    team = Team.objects.get(name="EMEA North")
    url = reverse("admin:people_team_change", args=[team.pk])
    client.post(url, change_form_data(client, url, manager=""))
    client.post(reverse("admin:people_team_delete", args=[team.pk]), {"post": "yes"})

    created, changed, deleted = AuditEntry.objects.filter(record_type="people.team").order_by("id")
    assert created.changes["manager"] == [None, {"id": sales_manager.pk, "label": str(sales_manager)}]
    assert changed.changes == {"manager": [{"id": sales_manager.pk, "label": str(sales_manager)}, None]}
    assert (deleted.action, deleted.record_id, deleted.record_label) == (A.DELETED, team.pk, "EMEA North")


def test_deleting_teams_from_the_list_records_each(client, admin_user):
    teams = TeamFactory.create_batch(2)
    client.force_login(admin_user)

    client.post(
        reverse("admin:people_team_changelist"),
        {"action": "delete_selected", "_selected_action": [t.pk for t in teams], "post": "yes"},
    )

    assert not Team.objects.filter(pk__in=[t.pk for t in teams]).exists()
    assert sorted(AuditEntry.objects.filter(action=A.DELETED).values_list("record_id", flat=True)) == sorted(
        t.pk for t in teams
    )


def test_the_workspace_settings_changed_in_the_admin_are_recorded(client, admin_user):
    from tandem.core.money import workspace_get

    workspace = workspace_get()
    client.force_login(admin_user)
    url = reverse("admin:core_workspace_change", args=[workspace.pk])

    client.post(url, change_form_data(client, url, fiscal_year_start_month=4))

    entry = AuditEntry.objects.get(record_type="core.workspace")
    assert entry.changes == {"fiscal_year_start_month": [1, 4]}


def test_the_admin_shows_entries_and_changes_or_deletes_none(client, admin_user):
    entry = AuditEntryFactory(record_label="Acme expansion")
    client.force_login(admin_user)

    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
