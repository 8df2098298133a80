"""Who may open each coaching page and API operation (see `tandem/tests/access.py` for the format).

Coaching is private to the rep and those who coach them: a rep reads their own notes and shared
reviews (another rep's, even a team-mate's, answer 404); their sales manager reads and writes them;
executives read all and write none (403); admins read and write all; product managers and
engineering leads none (403). A rep alone acknowledges a shared review of theirs.

`kwargs` names the rep's own records; `other_team` the records of a rep of another team (404 to
sales roles); `through_deal` is used here for the rep's *team-mate*'s records: their manager is the
same, the rep sees none of them.
"""

from typing import Any

from tandem.coaching.models import CoachingNote, Review
from tandem.coaching.tests.factories import CoachingNoteFactory, ReviewFactory
from tandem.people.models import User
from tandem.tests.access import Access, expect
from tandem.tests.world import World

READ = expect(200, 200, 403, 403, 200, 200)
OVERVIEW = expect(302, 200, 403, 403, 200, 200)  # a rep goes to their own page
PAGE_WRITE = expect(403, 302, 403, 403, 403, 302)
API_CREATE = expect(403, 201, 403, 403, 403, 201)
API_WRITE = expect(403, 200, 403, 403, 403, 200)
API_DELETE = expect(403, 204, 403, 403, 403, 204)
# A team-mate's coaching: the rep does not see it (404), their manager does.
TEAMMATE_READ = expect(404, 200, 403, 403, 200, 200)
TEAMMATE_PAGE_WRITE = expect(403, 302, 403, 403, 403, 302)


def _note(rep: User) -> CoachingNote:
    return CoachingNoteFactory(rep=rep, text="Practise the discovery questions.")


def _review(rep: User, *, shared: bool = True) -> Review:
    if shared:
        return ReviewFactory(rep=rep, status=Review.Status.SHARED, figures=None)
    return ReviewFactory(rep=rep, period_start="2026-09-01", period_end="2026-09-30", period_label="September 2026")


def _rep(who: str) -> Any:
    return lambda w: {"rep_id": getattr(w, who).pk}


def _note_of(who: str) -> Any:
    return lambda w: {"pk": _note(getattr(w, who)).pk}


def _review_of(who: str, *, shared: bool = True) -> Any:
    return lambda w: {"pk": _review(getattr(w, who), shared=shared).pk}


def _note_form(w: World) -> dict[str, Any]:
    return {"noted_on": "2026-11-20", "text": "Closed plan for Acme reviewed.", "version": 1}


def _period(w: World) -> dict[str, Any]:
    return {"period": "2026-11"}  # a month is offered while it is one of the last six


def _api(path_key: str, maker: Any) -> Any:
    return lambda w: {path_key: next(iter(maker(w).values()))}


PAGES: dict[str, Access] = {
    "coaching:overview": Access(OVERVIEW),
    "coaching:rep_coaching": Access(
        READ,
        kwargs=_rep("rep"),
        other_team=_rep("outsider_rep"),
        through_deal=_rep("teammate"),
        through_deal_expected=TEAMMATE_READ,
    ),
    "coaching:note_add": Access(
        PAGE_WRITE,
        method="POST",
        kwargs=_rep("rep"),
        data=_note_form,
        other_team=_rep("outsider_rep"),
        other_team_expected=expect(403, 404, 403, 403, 403, 302),
        through_deal=_rep("teammate"),
        through_deal_expected=TEAMMATE_PAGE_WRITE,
    ),
    "coaching:note_change": Access(
        # Its edit form: the rep reads the note but does not change it.
        expect(403, 200, 403, 403, 403, 200),
        kwargs=_note_of("rep"),
        other_team=_note_of("outsider_rep"),
        other_team_expected=expect(403, 404, 403, 403, 403, 200),
        through_deal=_note_of("teammate"),
        through_deal_expected=expect(403, 200, 403, 403, 403, 200),
    ),
    "coaching:note_delete": Access(
        PAGE_WRITE,
        method="POST",
        kwargs=_note_of("rep"),
        data=lambda w: {"version": 1},
        other_team=_note_of("outsider_rep"),
        other_team_expected=expect(403, 404, 403, 403, 403, 302),
    ),
    "coaching:review_create": Access(
        PAGE_WRITE,
        method="POST",
        kwargs=_rep("rep"),
        data=_period,
        other_team=_rep("outsider_rep"),
        other_team_expected=expect(403, 404, 403, 403, 403, 302),
        through_deal=_rep("teammate"),
        through_deal_expected=TEAMMATE_PAGE_WRITE,
    ),
    "coaching:review_detail": Access(
        READ,
        kwargs=_review_of("rep"),
        other_team=_review_of("outsider_rep"),
        through_deal=_review_of("teammate"),
        through_deal_expected=TEAMMATE_READ,
    ),
    "coaching:review_share": Access(
        PAGE_WRITE,
        method="POST",
        kwargs=_review_of("rep", shared=False),
        data=lambda w: {"version": 1},
        other_team=_review_of("outsider_rep", shared=False),
        other_team_expected=expect(403, 404, 403, 403, 403, 302),
    ),
    "coaching:review_acknowledge": Access(
        expect(302, 403, 403, 403, 403, 403),
        method="POST",
        kwargs=_review_of("rep"),
        data=lambda w: {"version": 1, "rep_comment": "Agreed on the goals."},
        other_team=_review_of("outsider_rep"),
        other_team_expected=expect(404, 403, 403, 403, 403, 403),
        through_deal=_review_of("teammate"),
        through_deal_expected=expect(404, 403, 403, 403, 403, 403),
    ),
}

API: dict[str, Access] = {
    "coaching_note_list": Access(
        READ,
        kwargs=_rep("rep"),
        other_team=_rep("outsider_rep"),
        through_deal=_rep("teammate"),
        through_deal_expected=TEAMMATE_READ,
    ),
    "coaching_note_create": Access(
        API_CREATE,
        method="POST",
        kwargs=_rep("rep"),
        data=lambda w: {"text": "Pipeline review: add two deals."},
        other_team=_rep("outsider_rep"),
        other_team_expected=expect(403, 404, 403, 403, 403, 201),
        through_deal=_rep("teammate"),
        through_deal_expected=API_CREATE,
    ),
    "coaching_note_update": Access(
        API_WRITE,
        method="PATCH",
        kwargs=_api("note_id", _note_of("rep")),
        data=lambda w: {"version": 1, "text": "Rewritten."},
        other_team=_api("note_id", _note_of("outsider_rep")),
        other_team_expected=expect(403, 404, 403, 403, 403, 200),
    ),
    "coaching_note_delete": Access(
        API_DELETE,
        method="DELETE",
        kwargs=_api("note_id", _note_of("rep")),
        query=lambda w: {"version": 1},
        other_team=_api("note_id", _note_of("outsider_rep")),
        other_team_expected=expect(403, 404, 403, 403, 403, 204),
    ),
    "coaching_review_list": Access(
        READ,
        kwargs=_rep("rep"),
        other_team=_rep("outsider_rep"),
        through_deal=_rep("teammate"),
        through_deal_expected=TEAMMATE_READ,
    ),
    "coaching_review_create": Access(
        API_CREATE,
        method="POST",
        kwargs=_rep("rep"),
        data=lambda w: {"period": "2026-Q1"},
        other_team=_rep("outsider_rep"),
        other_team_expected=expect(403, 404, 403, 403, 403, 201),
    ),
    "coaching_review_get": Access(
        READ,
        kwargs=_api("review_id", _review_of("rep")),
        other_team=_api("review_id", _review_of("outsider_rep")),
        through_deal=_api("review_id", _review_of("teammate")),
        through_deal_expected=TEAMMATE_READ,
    ),
    "coaching_review_update": Access(
        API_WRITE,
        method="PATCH",
        kwargs=_api("review_id", _review_of("rep", shared=False)),
        data=lambda w: {"version": 1, "summary": "Good month."},
        other_team=_api("review_id", _review_of("outsider_rep", shared=False)),
        other_team_expected=expect(403, 404, 403, 403, 403, 200),
    ),
    "coaching_review_share": Access(
        API_WRITE,
        method="POST",
        kwargs=_api("review_id", _review_of("rep", shared=False)),
        data=lambda w: {"version": 1},
        other_team=_api("review_id", _review_of("outsider_rep", shared=False)),
        other_team_expected=expect(403, 404, 403, 403, 403, 200),
    ),
    "coaching_review_acknowledge": Access(
        expect(200, 403, 403, 403, 403, 403),
        method="POST",
        kwargs=_api("review_id", _review_of("rep")),
        data=lambda w: {"version": 1, "rep_comment": "Thanks."},
        other_team=_api("review_id", _review_of("outsider_rep")),
        other_team_expected=expect(404, 403, 403, 403, 403, 403),
    ),
}
