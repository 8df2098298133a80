"""Who may open the notifications pages and API: everyone, and each only their own notifications.

A notification of someone else answers 404, as one that does not exist.
"""

from tandem.notifications.tests.factories import NotificationFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

EVERYONE_OK = expect(200, 200, 200, 200, 200, 200)
NOBODY_ELSE = expect(404, 404, 404, 404, 404, 404)


def _reps_notification(w: World) -> dict[str, int]:
    return {"pk": NotificationFactory(recipient=w.rep).pk}


def _outsiders_notification(w: World) -> dict[str, int]:
    return {"pk": NotificationFactory(recipient=w.outsider_rep).pk}


PAGES: dict[str, Access] = {
    "notifications:notification_list": Access(EVERYONE_OK),
    "notifications:notification_read_all": Access(expect(302, 302, 302, 302, 302, 302), method="POST"),
    "notifications:notification_open": Access(
        expect(302, 404, 404, 404, 404, 404),
        kwargs=_reps_notification,
        other_team=_outsiders_notification,
        other_team_expected=NOBODY_ELSE,
    ),
    "notifications:notification_read": Access(
        expect(302, 404, 404, 404, 404, 404),
        method="POST",
        kwargs=_reps_notification,
        other_team=_outsiders_notification,
        other_team_expected=NOBODY_ELSE,
    ),
}

API: dict[str, Access] = {
    "notifications_notification_list": Access(EVERYONE_OK),
    "notifications_notification_read_all": Access(EVERYONE_OK, method="POST"),
    "notifications_notification_read": Access(
        expect(200, 404, 404, 404, 404, 404),
        method="POST",
        kwargs=lambda w: {"notification_id": _reps_notification(w)["pk"]},
        other_team=lambda w: {"notification_id": _outsiders_notification(w)["pk"]},
        other_team_expected=NOBODY_ELSE,
    ),
}
