"""Who the benchmark acts as, and what it asks about, read from the seeded database.

Import this only after `django.setup()`. It signs users in the way the server will check them: a
database session carrying the user's auth hash (same SECRET_KEY as the server), and a personal API
token named "bench". Both are removed again by `sign_out`.
"""

import datetime
import random

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Exists, OuterRef
from django.utils import timezone

from bench.targets import Principal, World
from tandem.core.api import token_digest, token_generate
from tandem.core.roles import Role
from tandem.people.models import ApiToken, Team, User
from tandem.reviews.models import Review, ReviewMeeting
from tandem.sales.models import Account, Opportunity, Stage

TOKEN_NAME = "bench"
MANAGERS = 5
PRODUCT_MANAGERS = 3


def sign_in(user: User, session_keys: list[str]) -> Principal:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    session_keys.append(session.session_key)
    key = token_generate()
    # The benchmark's own sign-in, not a product action: it bypasses the token service on purpose.
    ApiToken.objects.create(user=user, name=TOKEN_NAME, prefix=key[:8], digest=token_digest(key))
    return Principal(
        user_id=user.pk,
        role=user.role,
        cookie=f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        token=key,
    )


def sign_out(session_keys: list[str]) -> None:
    ApiToken.objects.filter(name=TOKEN_NAME).delete()
    for key in session_keys:
        SessionStore(session_key=key).delete()


def _review_meeting(executive: User) -> int:
    """The product-sales review meeting the agenda target opens: today's, covering two weeks (made once)."""
    today = timezone.localdate()
    review, _ = Review.objects.get_or_create(name="Bench product-sales review", defaults={"organiser": executive})
    meeting, _ = ReviewMeeting.objects.get_or_create(
        review=review, held_on=today, defaults={"period_start": today - datetime.timedelta(days=14)}
    )
    return meeting.pk


def world_load(rng: random.Random, session_keys: list[str]) -> World:
    """Draw the users, stages and accounts, with `rng` so every run asks the same questions."""
    ApiToken.objects.filter(name=TOKEN_NAME).delete()  # left over by an interrupted run
    active = User.objects.filter(is_active=True).order_by("pk")
    has_deals = Exists(Opportunity.objects.filter(owner=OuterRef("pk")))
    managers = []
    manager_ids = list(
        Team.objects.filter(manager__role=Role.SALES_MANAGER, manager__is_active=True)
        .order_by("manager_id")
        .values_list("manager_id", flat=True)
        .distinct()
    )
    for manager_id in rng.sample(manager_ids, min(MANAGERS, len(manager_ids))):
        reps = list(
            active.filter(team__manager_id=manager_id, role=Role.REP).filter(has_deals).values_list("pk", flat=True)
        )
        if reps:
            managers.append((sign_in(User.objects.get(pk=manager_id), session_keys), reps))
    if not managers:
        raise SystemExit("No sales manager with reps who own deals: is the database seeded?")
    executive = active.filter(role=Role.EXECUTIVE).first()
    if executive is None:
        raise SystemExit("No executive in the database: is it seeded?")
    product_managers = list(active.filter(role=Role.PRODUCT_MANAGER).values_list("pk", flat=True))
    if not product_managers:
        raise SystemExit("No product manager in the database: is it seeded?")
    return World(
        review_meeting_id=_review_meeting(executive),
        managers=managers,
        executive=sign_in(executive, session_keys),
        product_managers=[
            sign_in(User.objects.get(pk=pk), session_keys)
            for pk in rng.sample(product_managers, min(PRODUCT_MANAGERS, len(product_managers)))
        ],
        open_stage_ids=list(Stage.objects.filter(is_won=False, is_lost=False).values_list("pk", flat=True)),
        account_ids=list(Account.objects.order_by("pk").values_list("pk", flat=True)),
    )
