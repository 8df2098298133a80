"""GET /api/audit: the trail for admins and executives, page by page with the page's filters."""

import typing

import pytest

from tandem.audit.api import AuditAction, AuditChannel
from tandem.audit.models import AuditEntry
from tandem.audit.tests.factories import AuditEntryFactory
from tandem.core.roles import Role
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_api_names_every_action_and_channel_of_the_model():
    assert set(typing.get_args(AuditAction)) == set(AuditEntry.Action.values)
    assert set(typing.get_args(AuditChannel)) == set(AuditEntry.Channel.values)


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_and_executives_read_the_trail(client, bearer, user_with_role, role):
    AuditEntryFactory()
    response = client.get("/api/audit", **bearer(user_with_role(role)))

    assert response.status_code == (200 if role in (Role.ADMIN, Role.EXECUTIVE) else 403)


def test_an_entry_reads_with_its_values_and_their_text(client, bearer, executive, rep, stages):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep), stage=stages.discovery)
    response = client.patch(
        f"/api/opportunities/{deal.pk}",
        {"version": deal.version, "stage_id": stages.proposal.pk},
        content_type="application/json",
        **bearer(rep),
    )
    assert response.status_code == 200, response.content

    [item] = client.get("/api/audit", **bearer(executive)).json()["items"]

    assert item["actor_id"] == rep.pk
    assert (item["action"], item["record_type"], item["record_id"]) == ("changed", "sales.opportunity", deal.pk)
    assert (item["channel"], item["request_id"]) == ("api", response["X-Request-ID"])
    stage = next(change for change in item["changes"] if change["field"] == "stage")
    assert stage["before"] == {"id": stages.discovery.pk, "label": "Discovery"}
    assert (stage["before_text"], stage["after_text"]) == ("Discovery", "Proposal")


def test_the_trail_pages_by_cursor_newest_first_with_the_pages_filters(client, bearer, admin_user, rep):
    mine = AuditEntryFactory.create_batch(3, actor=rep)
    AuditEntryFactory(record_type="people.user", record_id=rep.pk, changes={"role": ["rep", "admin"]})
    headers = bearer(admin_user)

    first = client.get("/api/audit", {"actor": rep.pk, "limit": 2}, **headers).json()
    second = client.get("/api/audit", {"actor": rep.pk, "limit": 2, "cursor": first["next_cursor"]}, **headers).json()

    assert [i["id"] for i in first["items"] + second["items"]] == [e.pk for e in reversed(mine)]
    assert second["next_cursor"] is None
    people = client.get("/api/audit", {"record_type": "people.user", "record_id": rep.pk}, **headers).json()
    assert [i["record_type"] for i in people["items"]] == ["people.user"]


@pytest.mark.parametrize(
    "query",
    [
        {"record_type": "sales.account"},
        {"date_from": "yesterday"},
        {"actor": 0},
        {"record_id": 2**64},
        {"cursor": "%%%"},
    ],
)
def test_a_filter_that_is_not_valid_is_a_422(client, bearer, executive, query):
    response = client.get("/api/audit", query, **bearer(executive))

    assert response.status_code == 422, response.content


def test_the_list_makes_as_many_queries_for_ten_entries_as_for_one(client, bearer, executive):
    headers = bearer(executive)
    client.get("/api/audit", **headers)  # the token's first use is written once a minute: not a row's query
    AuditEntryFactory()
    one = queries_of(lambda: client.get("/api/audit", **headers))
    AuditEntryFactory.create_batch(9)
    ten = queries_of(lambda: client.get("/api/audit", **headers))
    assert_same_queries(one, ten)
