"""Who may open the profile, token and sign-in pages, and `GET /api/me`.

Everyone has their own profile and tokens; a token is its owner's alone, so revoking someone
else's answers 404 to every role, as if it did not exist.
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
    "login": Access(EVERYONE_OK, public=True),
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
