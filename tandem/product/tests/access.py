"""Who may open the feature, roadmap and product pages, and the feature API.

Everyone sees features, but sales only sales-shareable and public ones: `world.internal_feature`
answers 404 to sales roles, as a feature that does not exist. Product managers and admins edit
features; engineering leads may change a feature's effort (the edit page gives them that field alone).
Everyone reads the scoring weights and goals; executives and admins set them. Product managers
(of the product, by the default decision rights) and admins plan and change releases.
"""

from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)
EDITORS_REDIRECT = expect(403, 403, 302, 403, 403, 302)
INTERNAL_FOR_EDITORS = expect(404, 404, 302, 403, 403, 302)
GOAL_SETTERS_REDIRECT = expect(403, 403, 403, 403, 302, 302)


def _feature(w: World) -> dict[str, int]:
    return {"pk": w.feature.pk}


def _internal_feature(w: World) -> dict[str, int]:
    return {"pk": w.internal_feature.pk}


def _feature_data(w: World) -> dict[str, object]:
    return {
        "product": w.product.pk,
        "title": "Audit log export",
        "description": "Export every change as CSV.",
        "status": "backlog",
        "release": w.release.pk,
        "goals": [w.goal.pk],
        "effort": "3.5",
        "confidence": "likely",
        "visibility": "sales",
        "version": 1,
    }


PAGES: dict[str, Access] = {
    "product:feature_list": Access(EVERYONE_OK),
    "product:feature_detail": Access(
        EVERYONE_OK,
        kwargs=_feature,
        other_team=_internal_feature,
        other_team_expected=expect(404, 404, 200, 200, 200, 200),
    ),
    "product:feature_create": Access(EDITORS_REDIRECT, method="POST", data=_feature_data),
    "product:feature_update": Access(
        # Engineering leads get the effort-only form; it reads just effort and version.
        expect(403, 403, 302, 302, 403, 302),
        method="POST",
        kwargs=_feature,
        data=_feature_data,
        other_team=_internal_feature,
        other_team_expected=expect(404, 404, 302, 302, 403, 302),
    ),
    "product:feature_delete": Access(
        EDITORS_REDIRECT,
        method="POST",
        kwargs=_feature,
        data=lambda w: {"version": 1},
        other_team=_internal_feature,
        other_team_expected=INTERNAL_FOR_EDITORS,
    ),
    # Everyone reads the scoring weights (GET, tested in test_views); executives and admins change them.
    "product:scoring_settings": Access(
        expect(403, 403, 403, 403, 302, 302),
        method="POST",
        data=lambda w: {
            "formula": "default",
            "weight_revenue": "0.5",
            "weight_reach": "0.2",
            "weight_fit": "0.2",
            "weight_urgency": "0.1",
            "default_effort": "4",
            "single_deal_share": "0.6",
        },
    ),
    "product:roadmap": Access(EVERYONE_OK),
    # Product managers (of the product, while the rights keep them to their own) and admins plan releases.
    "product:release_create": Access(
        EDITORS_REDIRECT,
        method="POST",
        data=lambda w: {"product": w.product.pk, "name": "2027.9", "target_date": "2027-09-30"},
    ),
    "product:release_update": Access(
        EDITORS_REDIRECT,
        method="POST",
        kwargs=lambda w: {"pk": w.release.pk},
        data=lambda w: {"name": "2027.1 LTS", "target_date": "2027-04-30", "version": 1},
    ),
    # Executives and admins set the strategic goals.
    "product:goal_create": Access(
        GOAL_SETTERS_REDIRECT, method="POST", data=lambda w: {"name": "Grow in EMEA", "weight": "2", "is_active": "on"}
    ),
    "product:goal_update": Access(
        GOAL_SETTERS_REDIRECT,
        method="POST",
        kwargs=lambda w: {"pk": w.goal.pk},
        data=lambda w: {"name": "Win security reviews", "weight": "3", "is_active": "on", "version": 1},
    ),
    "product:product_list": Access(EVERYONE_OK),
    "product:product_detail": Access(EVERYONE_OK, kwargs=lambda w: {"pk": w.product.pk}),
}


def _api_feature(w: World) -> dict[str, int]:
    return {"feature_id": w.feature.pk}


def _api_internal_feature(w: World) -> dict[str, int]:
    return {"feature_id": w.internal_feature.pk}


API: dict[str, Access] = {
    "product_feature_list": Access(EVERYONE_OK),
    "product_feature_create": Access(
        expect(403, 403, 201, 403, 403, 201),
        method="POST",
        data=lambda w: {"product_id": w.product.pk, "title": "Audit log export", "goal_ids": [w.goal.pk]},
    ),
    "product_feature_get": Access(
        EVERYONE_OK,
        kwargs=_api_feature,
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 200, 200, 200),
    ),
    "product_feature_update": Access(
        # Effort alone: engineering leads may estimate it.
        expect(403, 403, 200, 200, 403, 200),
        method="PATCH",
        kwargs=_api_feature,
        data=lambda w: {"version": 1, "effort": "2.5"},
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 200, 403, 200),
    ),
    "product_feature_delete": Access(
        expect(403, 403, 204, 403, 403, 204),
        method="DELETE",
        kwargs=_api_feature,
        query=lambda w: {"version": 1},
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 204, 403, 403, 204),
    ),
    "product_release_create": Access(
        expect(403, 403, 201, 403, 403, 201),
        method="POST",
        data=lambda w: {"product_id": w.product.pk, "name": "2027.9", "target_date": "2027-09-30"},
    ),
    "product_release_update": Access(
        expect(403, 403, 200, 403, 403, 200),
        method="PATCH",
        kwargs=lambda w: {"release_id": w.release.pk},
        data=lambda w: {"version": 1, "target_date": "2027-04-30"},
    ),
}

# Products, goals and the scoring weights: everyone reads them (every score shows its breakdown);
# executives and admins set goals and weights.
SETTERS_OK = expect(403, 403, 403, 403, 200, 200)
API.update(
    {
        "product_product_list": Access(EVERYONE_OK),
        "product_product_get": Access(EVERYONE_OK, kwargs=lambda w: {"product_id": w.product.pk}),
        "product_goal_list": Access(EVERYONE_OK),
        "product_goal_create": Access(
            expect(403, 403, 403, 403, 201, 201), data=lambda w: {"name": "Expand in Europe", "weight": "2.00"}
        ),
        "product_goal_update": Access(
            SETTERS_OK,
            kwargs=lambda w: {"goal_id": w.goal.pk},
            data=lambda w: {"name": w.goal.name, "weight": "1.50", "version": w.goal.version},
        ),
        "product_scoring_get": Access(EVERYONE_OK),
        "product_scoring_update": Access(SETTERS_OK, data=lambda w: {"weight_fit": "0.30"}),
    }
)
