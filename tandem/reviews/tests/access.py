"""Who may open each review page and API operation (see `tandem/tests/access.py` for the format).

The world's review is organised by its product manager, with the rep and the sales manager
attending. A review is seen by its organiser, its attendees, executives and admins (404 for the
engineering lead, who attends none); its meetings are run by the organiser and attendees who run
reviews (sales managers, PMs, executives) and admins; an executive who does not attend reads but
records nothing (403). Decisions follow the decision rights: declining is the PM's (of their own
product) or an executive's, so the attending sales manager and the admin are refused (403). The
other team's review (its manager and rep attend) answers 404 to everyone but executives and admins.
"""

import datetime
from typing import Any

from tandem.people.models import User
from tandem.reviews.models import ActionItem, Review, ReviewMeeting
from tandem.tests.access import Access, expect
from tandem.tests.world import World

READ = expect(200, 200, 200, 404, 200, 200)
RUN_PAGE = expect(403, 302, 302, 404, 403, 302)
RUN_API = expect(403, 200, 200, 404, 403, 200)
CREATED_API = expect(403, 201, 201, 404, 403, 201)
OTHER_READ = expect(404, 404, 404, 404, 200, 200)
TODAY = datetime.date(2027, 1, 14)


def _review(w: World) -> Review:
    review = Review.objects.filter(name="Weekly product-sales review").first()
    if review is None:
        review = Review.objects.create(name="Weekly product-sales review", organiser=w.product_manager)
        review.attendees.set([w.rep, User.objects.get(username="sam.manager")])
    return review


def _meeting(w: World) -> ReviewMeeting:
    meeting, _ = ReviewMeeting.objects.get_or_create(
        review=_review(w), held_on=TODAY, defaults={"period_start": TODAY - datetime.timedelta(days=14)}
    )
    return meeting


def _other_meeting(w: World) -> ReviewMeeting:
    review = Review.objects.create(name="SMB West review", organiser=User.objects.get(username="olga.manager"))
    review.attendees.set([w.outsider_rep])
    return ReviewMeeting.objects.create(review=review, held_on=TODAY, period_start=TODAY - datetime.timedelta(days=7))


def _item(w: World) -> ActionItem:
    meeting = _meeting(w)
    item, _ = ActionItem.objects.get_or_create(
        meeting=meeting,
        title="Send Acme the SSO timeline",
        defaults={"owner": w.rep, "due_on": TODAY, "created_by": w.product_manager},
    )
    return item


def _decide(w: World) -> dict[str, Any]:
    return {
        "agenda_item": f"feature:{w.feature.pk}",
        "feature": w.feature.pk,
        "outcome": "declined",
        "rationale": "Not this year: the identity platform comes first.",
    }


def _action(w: World) -> dict[str, Any]:
    return {
        "agenda_item": f"feature:{w.feature.pk}",
        "title": "Call Acme's CISO",
        "owner": w.rep.pk,
        "due_on": "2027-01-21",
    }


PAGES: dict[str, Access] = {
    "reviews:review_list": Access(expect(200, 200, 200, 200, 200, 200)),
    "reviews:review_create": Access(expect(403, 200, 200, 403, 200, 200)),
    "reviews:review_detail": Access(
        READ,
        kwargs=lambda w: {"pk": _review(w).pk},
        other_team=lambda w: {"pk": _other_meeting(w).review_id},
        other_team_expected=OTHER_READ,
    ),
    "reviews:meeting_create": Access(
        RUN_PAGE, method="POST", kwargs=lambda w: {"pk": _review(w).pk}, data=lambda w: {"held_on": "2027-01-28"}
    ),
    "reviews:meeting_detail": Access(
        READ,
        kwargs=lambda w: {"pk": _meeting(w).pk},
        other_team=lambda w: {"pk": _other_meeting(w).pk},
        other_team_expected=OTHER_READ,
    ),
    # An agenda item's forms, fetched when it is opened: for those who record in the meeting.
    "reviews:meeting_item_forms": Access(
        expect(403, 200, 200, 404, 403, 200),
        kwargs=lambda w: {"pk": _meeting(w).pk},
        data=lambda w: {"item": f"feature:{w.feature.pk}", "feature": w.feature.pk},
        other_team=lambda w: {"pk": _other_meeting(w).pk},
        other_team_expected=expect(404, 404, 404, 404, 403, 200),
    ),
    "reviews:meeting_decide": Access(
        expect(403, 403, 302, 404, 403, 403), method="POST", kwargs=lambda w: {"pk": _meeting(w).pk}, data=_decide
    ),
    "reviews:action_item_create": Access(
        RUN_PAGE, method="POST", kwargs=lambda w: {"pk": _meeting(w).pk}, data=_action
    ),
    "reviews:minutes_send": Access(
        RUN_PAGE,
        method="POST",
        kwargs=lambda w: {"pk": _meeting(w).pk},
        data=lambda w: {"notes": "Agreed to revisit SSO in March.", "version": 1},
    ),
    "reviews:action_item_done": Access(
        expect(302, 302, 302, 404, 403, 302),
        method="POST",
        kwargs=lambda w: {"pk": _item(w).pk},
        data=lambda w: {"done": "on", "version": 1},
    ),
}

API: dict[str, Access] = {
    "reviews_review_list": Access(expect(200, 200, 200, 200, 200, 200)),
    "reviews_review_create": Access(
        expect(403, 201, 201, 403, 201, 201),
        method="POST",
        data=lambda w: {"name": "Monthly pipeline and roadmap", "cadence": "monthly", "attendee_ids": [w.rep.pk]},
    ),
    "reviews_review_get": Access(
        READ,
        kwargs=lambda w: {"review_id": _review(w).pk},
        other_team=lambda w: {"review_id": _other_meeting(w).review_id},
        other_team_expected=OTHER_READ,
    ),
    "reviews_meeting_create": Access(
        CREATED_API,
        method="POST",
        kwargs=lambda w: {"review_id": _review(w).pk},
        data=lambda w: {"held_on": "2027-01-28"},
    ),
    "reviews_meeting_get": Access(
        READ,
        kwargs=lambda w: {"meeting_id": _meeting(w).pk},
        other_team=lambda w: {"meeting_id": _other_meeting(w).pk},
        other_team_expected=OTHER_READ,
    ),
    "reviews_meeting_decide": Access(
        expect(403, 403, 201, 404, 403, 403),
        method="POST",
        kwargs=lambda w: {"meeting_id": _meeting(w).pk},
        data=lambda w: {
            "agenda_item": f"feature:{w.feature.pk}",
            "feature_id": w.feature.pk,
            "outcome": "declined",
            "rationale": "Not this year.",
        },
    ),
    "reviews_action_item_create": Access(
        CREATED_API,
        method="POST",
        kwargs=lambda w: {"meeting_id": _meeting(w).pk},
        data=lambda w: {"title": "Call Acme's CISO", "owner_id": w.rep.pk, "due_on": "2027-01-21"},
    ),
    "reviews_minutes_send": Access(
        RUN_API,
        method="POST",
        kwargs=lambda w: {"meeting_id": _meeting(w).pk},
        data=lambda w: {"notes": "Agreed to revisit SSO in March.", "version": 1},
    ),
    "reviews_action_item_list": Access(expect(200, 200, 200, 200, 200, 200)),
    "reviews_action_item_update": Access(
        expect(200, 200, 200, 404, 403, 200),
        method="PATCH",
        kwargs=lambda w: {"item_id": _item(w).pk},
        data=lambda w: {"done": True, "version": 1},
    ),
}
