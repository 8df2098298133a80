"""The decisions API: the same rights as the pages, refusals that name who holds the right, lists without N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.asks.tests.factories import DecisionFactory
from tandem.core.api import token_digest, token_generate
from tandem.decisions.models import Escalation
from tandem.decisions.tests.factories import EscalationFactory
from tandem.people.models import ApiToken

pytestmark = pytest.mark.django_db
WHY = "Three enterprise deals are blocked on it."


@pytest.fixture
def bearer():
    def make(user):
        key = token_generate()
        ApiToken.objects.create(user=user, name="tests", prefix=key[:8], digest=token_digest(key))
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


def test_a_refused_decision_is_a_403_naming_who_holds_the_right(client, bearer, other_pm, product_manager, loop):
    response = client.post(
        "/api/decisions",
        {"feature_id": loop.feature.pk, "outcome": "declined", "rationale": WHY},
        content_type="application/json",
        **bearer(other_pm),
    )

    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Only the product manager of Payments ({product_manager}) or an executive may decline this feature."
    )


def test_planning_with_a_release_of_another_product_is_a_422_on_release_id(client, bearer, product_manager, loop):
    from tandem.product.tests.factories import ReleaseFactory

    response = client.post(
        "/api/decisions",
        {"feature_id": loop.feature.pk, "outcome": "planned", "rationale": WHY, "release_id": ReleaseFactory().pk},
        content_type="application/json",
        **bearer(product_manager),
    )

    assert response.status_code == 422
    assert "release_id" in response.json()["errors"]


def test_the_executive_rules_on_an_escalation_through_the_api(client, bearer, executive, loop):
    escalation = EscalationFactory(ask=loop.ask)

    response = client.post(
        f"/api/escalations/{escalation.pk}/ruling",
        {"outcome": "planned", "rationale": "Acme matters.", "release_id": loop.release.pk},
        content_type="application/json",
        **bearer(executive),
    )

    assert response.status_code == 201
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RULED
    listed = client.get("/api/escalations", {"status": "ruled"}, **bearer(executive)).json()["items"]
    assert [item["ruling"]["rationale"] for item in listed] == ["Acme matters."]


def api_queries(client, path, headers, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {}, **headers)
    assert response.status_code == 200
    return len(queries)


def test_decision_and_escalation_lists_cost_the_same_queries_for_1_or_10(
    client, bearer, executive, product_manager, loop
):
    headers = bearer(executive)
    client.get("/api/me", **headers)  # the token's first use records itself: keep that out of the counts
    DecisionFactory(feature=loop.feature, decided_by=product_manager)
    EscalationFactory(ask=loop.ask)
    ruled = EscalationFactory(
        status=Escalation.Status.RULED, ruling=DecisionFactory(feature=loop.feature, decided_by=executive)
    )
    assert ruled.pk
    one = (api_queries(client, "/api/decisions", headers), api_queries(client, "/api/escalations", headers))
    for _ in range(9):
        DecisionFactory(feature=loop.feature, decided_by=product_manager)
        EscalationFactory(
            status=Escalation.Status.RULED, ruling=DecisionFactory(feature=loop.feature, decided_by=executive)
        )
    ten = (api_queries(client, "/api/decisions", headers), api_queries(client, "/api/escalations", headers))
    assert one == ten


def test_the_release_ships_through_the_api(client, bearer, product_manager, loop):
    response = client.post(f"/api/releases/{loop.release.pk}/ship", **bearer(product_manager))

    assert response.status_code == 200
    assert response.json()["status"] == "shipped"
    again = client.post(f"/api/releases/{loop.release.pk}/ship", **bearer(product_manager))
    assert again.status_code == 422
