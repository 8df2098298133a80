"""The decision sections on the feature and ask pages, the escalations page, overdue escalations on home."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.asks.tests.factories import AskFactory, DecisionFactory
from tandem.decisions.models import DecisionRight, Escalation
from tandem.decisions.services import decision_record, decision_right_update
from tandem.decisions.tests.factories import EscalationFactory
from tandem.product.models import Feature

pytestmark = pytest.mark.django_db
WHY = "Three enterprise deals are blocked on it."


def test_product_manager_decides_on_the_feature_page_with_htmx(client, product_manager, loop):
    client.force_login(product_manager)
    page = client.get(reverse("product:feature_detail", args=[loop.feature.pk])).content.decode()
    assert 'data-testid="decision-form"' in page
    assert "consult: Engineering lead" in page

    response = client.post(
        reverse("decisions:feature_decide", args=[loop.feature.pk]),
        {"outcome": "planned", "release": loop.release.pk, "rationale": WHY},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "Planned</strong> for 2027.2" in response.content.decode()
    loop.feature.refresh_from_db()
    assert loop.feature.status == Feature.Status.PLANNED


def test_the_refusal_names_who_holds_the_right_on_the_form(client, other_pm, product_manager, loop):
    client.force_login(other_pm)

    response = client.post(
        reverse("decisions:feature_decide", args=[loop.feature.pk]), {"outcome": "declined", "rationale": WHY}
    )

    assert response.status_code == 403
    assert (
        f"Only the product manager of Payments ({product_manager}) or an executive may decline this feature."
        in response.content.decode()
    )


def test_a_rep_sees_what_was_decided_on_their_ask_without_a_form(client, rep, product_manager, loop):
    decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="Off strategy.")
    client.force_login(rep)

    page = client.get(reverse("asks:ask_detail", args=[loop.ask.pk])).content.decode()

    assert 'data-testid="latest-decision"' in page
    assert "Off strategy." in page
    assert "on the feature this ask is linked to" in page
    assert 'data-testid="decision-form"' not in page
    assert 'data-testid="escalation-form"' not in page


def test_the_sales_manager_escalates_from_the_ask_page(client, sales_manager, product_manager, loop):
    decision_record(actor=product_manager, feature=loop.feature, outcome="declined", rationale="Off strategy.")
    client.force_login(sales_manager)
    assert (
        'data-testid="escalation-form"' in client.get(reverse("asks:ask_detail", args=[loop.ask.pk])).content.decode()
    )

    response = client.post(
        reverse("decisions:ask_escalate", args=[loop.ask.pk]), {"reason": "Blocks Acme."}, HTTP_HX_REQUEST="true"
    )

    assert "any executive" in response.content.decode()
    assert Escalation.objects.get(ask=loop.ask).reason == "Blocks Acme."


@pytest.mark.parametrize("who", ["rep", "sales_manager", "executive", "product_manager"])
def test_overdue_escalations_are_on_the_home_page_of_everyone_concerned(client, request, loop, who):
    EscalationFactory(ask=loop.ask, due_date=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(request.getfixturevalue(who))

    page = client.get(reverse("dashboards:home")).content.decode()

    assert 'data-testid="overdue-escalations"' in page
    assert loop.ask.need[:40] in page


def test_overdue_escalations_are_not_on_the_home_page_of_others(client, outsider_rep, other_pm, loop):
    EscalationFactory(ask=loop.ask, due_date=timezone.localdate() - datetime.timedelta(days=1))
    for user in (outsider_rep, other_pm):
        client.force_login(user)
        assert 'data-testid="overdue-escalations"' not in client.get(reverse("dashboards:home")).content.decode()


def test_escalations_page_filters_open_overdue_and_ruled(client, executive, product_manager, loop):
    today = timezone.localdate()
    overdue = EscalationFactory(ask=loop.ask, due_date=today - datetime.timedelta(days=2), reason="Late one")
    upcoming = EscalationFactory(ask=AskFactory(need="Upcoming need"), reason="Soon")
    ruled_ask = AskFactory(need="Ruled need")
    EscalationFactory(
        ask=ruled_ask,
        status=Escalation.Status.RULED,
        ruling=DecisionFactory(ask=ruled_ask, decided_by=executive),
    )
    client.force_login(executive)

    def shown(status):
        return client.get(reverse("decisions:escalation_list"), {"status": status}).content.decode()

    assert overdue.ask.need[:30] in shown("overdue")
    assert "Upcoming need" not in shown("overdue")
    assert "Upcoming need" in shown("open")
    assert "Ruled need" not in shown("open")
    assert "Ruled need" in shown("ruled")
    assert "Upcoming need" not in shown("ruled")
    assert upcoming.pk


def escalations_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("decisions:escalation_list"), {"status": "all"})
    assert response.status_code == 200
    return len(queries)


def test_escalations_page_costs_the_same_queries_for_1_or_10(client, executive):
    client.force_login(executive)
    EscalationFactory()
    with_one = escalations_page_queries(client)
    EscalationFactory.create_batch(9)
    assert escalations_page_queries(client) == with_one


def test_admin_changes_a_decision_right_on_the_settings_page(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("decisions:decision_right_update", args=["later"]),
        {"later-deciding_roles": ["product_manager", "sales_manager"]},
    )

    assert response.status_code == 302
    page = client.get(reverse("decisions:decision_rights")).content.decode()
    assert 'value="sales_manager"' in page
    right = DecisionRight.objects.get(decision_type="later")
    assert (right.deciding_roles, right.managers_own_products_only) == (["sales_manager", "product_manager"], False)


def test_the_product_manager_ships_a_release_after_confirming(client, product_manager, loop):
    client.force_login(product_manager)
    assert 'data-testid="mark-shipped"' in client.get(reverse("product:roadmap")).content.decode()
    confirm = client.get(reverse("product:release_ship", args=[loop.release.pk]))
    assert "Mark Payments 2027.2 shipped?" in confirm.content.decode()

    response = client.post(reverse("product:release_ship", args=[loop.release.pk]))

    assert response["Location"] == reverse("product:roadmap")
    loop.release.refresh_from_db()
    assert loop.release.status == "shipped"


def test_mark_shipped_shows_only_on_releases_the_product_manager_may_ship(client, other_pm, product_manager, loop):
    client.force_login(other_pm)

    roadmap = client.get(reverse("product:roadmap")).content.decode()

    assert "Payments 2027.2" in roadmap
    assert 'data-testid="mark-shipped"' not in roadmap
    refused = client.get(reverse("product:release_ship", args=[loop.release.pk]))
    assert refused.status_code == 403
    assert f"Only the product manager of Payments ({product_manager}) or an admin" in refused.content.decode()


def test_mark_shipped_shows_to_every_product_manager_when_the_rights_say_so(client, other_pm, admin_user, loop):
    # Through the service: a test database flushed by a transactional test has no stored rights to update.
    decision_right_update(
        actor=admin_user,
        decision_type="planned",
        deciding_roles=["product_manager", "executive"],
        managers_own_products_only=False,
    )
    client.force_login(other_pm)

    assert 'data-testid="mark-shipped"' in client.get(reverse("product:roadmap")).content.decode()


def test_the_feature_shows_the_executives_ruling_on_one_of_its_asks(client, sales_manager, executive, loop):
    product_manager = loop.product.manager
    decision_record(actor=product_manager, ask=loop.ask, outcome="later", rationale="After the platform work.")
    EscalationFactory(ask=loop.ask, escalated_by=sales_manager)
    decision_record(
        actor=executive, ask=loop.ask, outcome="planned", release=loop.release, rationale="Acme renews on it."
    )
    client.force_login(product_manager)

    page = client.get(reverse("product:feature_detail", args=[loop.feature.pk])).content.decode()

    section = page[page.index('data-testid="feature-decisions"') :]
    assert section.index("Acme renews on it.") < section.index("After the platform work.")  # newest first
    assert "Ruling on an escalated ask" in section
    assert "On one ask" in section
    assert loop.ask.need in section
