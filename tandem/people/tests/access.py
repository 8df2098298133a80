"""Who may open the profile, token, two-factor and sign-in pages, and `GET /api/me`.

Everyone has their own profile, tokens and two-factor sign-in; a token is its owner's alone, so
revoking someone else's answers 404 to every role, as if it did not exist. The two-factor pages
act on the signed-in person only; with two-factor off, confirming a code or asking for new
recovery codes sends them back to the two-factor page (302), and a wrong password is a 422.
"""

from tandem.people.tests.factories import ApiTokenFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)
NOBODY = expect(404, 404, 404, 404, 404, 404)


def _rep_token(world: World) -> dict[str, int]:
    token = ApiTokenFactory.create(user=world.rep)
    return {"pk": token.pk}


def _outsider_token(world: World) -> dict[str, int]:
    token = ApiTokenFactory.create(user=world.outsider_rep)
    return {"pk": token.pk}


PAGES: dict[str, Access] = {
    "people:profile": Access(EVERYONE_OK),
    "people:api_token_create": Access(
        expect(200, 200, 200, 200, 200, 200), method="POST", data=lambda w: {"name": "Forecast spreadsheet"}
    ),
    "people:api_token_revoke": Access(
        expect(302, 404, 404, 404, 404, 404),
        method="POST",
        kwargs=_rep_token,
        other_team=_outsider_token,
        other_team_expected=NOBODY,
    ),
    "people:two_factor": Access(EVERYONE_OK),
    "people:two_factor_setup": Access(EVERYONE_OK, method="POST"),
    "people:two_factor_confirm": Access(
        expect(302, 302, 302, 302, 302, 302), method="POST", data=lambda w: {"code": "123456"}
    ),
    "people:recovery_codes_replace": Access(
        expect(422, 422, 422, 422, 422, 422), method="POST", data=lambda w: {"password": "not-my-password"}
    ),
    "people:two_factor_disable": Access(
        expect(422, 422, 422, 422, 422, 422), method="POST", data=lambda w: {"password": "not-my-password"}
    ),
    "login": Access(EVERYONE_OK, public=True),
    # Without a password step passed in this session, the code step sends back to the sign-in page.
    "two_factor_sign_in": Access(expect(302, 302, 302, 302, 302, 302), public=True),
    # `next` keeps the redirect off the login page, which the generic test reads as "sent to sign in".
    "logout": Access(expect(302, 302, 302, 302, 302, 302), method="POST", data=lambda w: {"next": "/"}),
    "password_change": Access(EVERYONE_OK),
    "password_change_done": Access(EVERYONE_OK),
    "password_reset": Access(EVERYONE_OK, public=True),
    "password_reset_done": Access(EVERYONE_OK, public=True),
    "password_reset_confirm": Access(
        EVERYONE_OK, kwargs=lambda w: {"uidb64": "MQ", "token": "expired-token"}, public=True
    ),
    "password_reset_complete": Access(EVERYONE_OK, public=True),
}

API: dict[str, Access] = {
    "people_me": Access(EVERYONE_OK),
}

API["people_team_list"] = Access(EVERYONE_OK)
