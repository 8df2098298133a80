"""Who may open the roadmap pages and call the roadmap API.

Everyone signed in reads the timeline, the board and the sales roadmap (sales reads them as sales
may tell it); who may manage the feature's product's releases places features (its PM, admins).
Engineering leads and admins set capacity; admins switch the public roadmap on; PMs and admins
write market research; the product's manager, executives and admins move its lifecycle. The
public roadmap page answers without login, and 404 while it is off (the default).
"""

from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)


def _feature(w: World) -> dict[str, int]:
    return {"pk": w.feature.pk}


def _internal_feature(w: World) -> dict[str, int]:
    return {"pk": w.internal_feature.pk}


PAGES: dict[str, Access] = {
    "roadmap:timeline": Access(EVERYONE_OK),
    "roadmap:board": Access(EVERYONE_OK),
    "roadmap:feature_place": Access(
        # The PM of the world's product and admins; sales cannot see the internal feature (404).
        expect(403, 403, 200, 403, 403, 200),
        method="POST",
        kwargs=_feature,
        data=lambda w: {"release": w.release.pk, "version": 1},
        other_team=_internal_feature,
        other_team_expected=expect(404, 404, 200, 403, 403, 200),
    ),
    "roadmap:market_research": Access(
        expect(403, 403, 302, 403, 403, 302),
        method="POST",
        kwargs=_feature,
        data=lambda w: {"target_segment": "Mid-market banks", "market_size": "1000000", "version": 1},
        other_team=_internal_feature,
        other_team_expected=expect(404, 404, 302, 403, 403, 302),
    ),
    "roadmap:feature_dependents": Access(
        EVERYONE_OK,
        kwargs=_feature,
        other_team=_internal_feature,
        other_team_expected=expect(404, 404, 200, 200, 200, 200),
    ),
    "roadmap:sales_roadmap": Access(EVERYONE_OK),
    "roadmap:sales_roadmap_print": Access(EVERYONE_OK),
    "roadmap:sales_roadmap_export": Access(EVERYONE_OK),
    # Off until an admin switches it on: the same 404 for everyone, signed in or not.
    "roadmap:public_roadmap": Access(expect(404, 404, 404, 404, 404, 404), public=True),
    "roadmap:settings": Access(
        expect(403, 403, 403, 403, 403, 302), method="POST", data=lambda w: {"public_roadmap_enabled": "on"}
    ),
    "roadmap:product_lifecycle": Access(
        # The product's manager (the world's PM), executives and admins.
        expect(403, 403, 302, 403, 302, 302),
        method="POST",
        kwargs=lambda w: {"pk": w.product.pk},
        data=lambda w: {"to_stage": "development", "reason": "The design partners signed."},
    ),
}


def _api_feature(w: World) -> dict[str, int]:
    return {"feature_id": w.feature.pk}


def _api_internal_feature(w: World) -> dict[str, int]:
    return {"feature_id": w.internal_feature.pk}


API: dict[str, Access] = {
    "roadmap_item_list": Access(EVERYONE_OK),
    "roadmap_item_place": Access(
        expect(403, 403, 200, 403, 403, 200),
        method="POST",
        kwargs=_api_feature,
        data=lambda w: {"version": 1, "release_id": w.release.pk},
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 403, 403, 200),
    ),
    "roadmap_talking_points_get": Access(
        EVERYONE_OK,
        kwargs=_api_feature,
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 200, 200, 200),
    ),
    "roadmap_talking_points_update": Access(
        expect(403, 403, 200, 403, 403, 200),
        method="PUT",
        kwargs=_api_feature,
        data=lambda w: {"version": 1, "say": "SSO with any SAML provider.", "dont_say": "No dates."},
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 403, 403, 200),
    ),
    "roadmap_market_research_get": Access(
        EVERYONE_OK,
        kwargs=_api_feature,
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 200, 200, 200),
    ),
    "roadmap_market_research_update": Access(
        expect(403, 403, 200, 403, 403, 200),
        method="PUT",
        kwargs=_api_feature,
        data=lambda w: {"version": 1, "target_segment": "Mid-market banks"},
        other_team=_api_internal_feature,
        other_team_expected=expect(404, 404, 200, 403, 403, 200),
    ),
    "roadmap_lifecycle_move_list": Access(EVERYONE_OK, kwargs=lambda w: {"product_id": w.product.pk}),
    "roadmap_lifecycle_move_create": Access(
        expect(403, 403, 201, 403, 201, 201),
        method="POST",
        kwargs=lambda w: {"product_id": w.product.pk},
        data=lambda w: {"to_stage": "development", "reason": "The design partners signed."},
    ),
    "roadmap_product_dependents": Access(EVERYONE_OK, kwargs=lambda w: {"product_id": w.product.pk}),
}
