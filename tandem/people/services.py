"""Writes of the people domain: each person's own profile, personal API tokens, two-factor
sign-in and the security notices that tell a person their sign-in details changed."""

import datetime
import enum
import hashlib
import hmac
import secrets

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.audit.services import Action, audit_record
from tandem.core.api import token_digest, token_generate
from tandem.core.permissions import require
from tandem.people import tasks
from tandem.people.models import ApiToken, RecoveryCode, User
from tandem.people.permissions import PeoplePermission
from tandem.people.selectors import two_factor_device

PREFIX_LENGTH = 12


@transaction.atomic
def user_update_profile(*, actor: User, user: User, first_name: str, last_name: str, time_zone: str) -> User:
    """A person changes their own name and time zone; nobody changes someone else's here.

    Role, team and login are the admin's to change, in the admin pages.
    """
    if actor.pk != user.pk:
        raise PermissionDenied("You may change only your own profile.")
    user.first_name = first_name
    user.last_name = last_name
    user.time_zone = time_zone
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "time_zone"])
    return user


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, scope: str = ApiToken.Scope.WRITE, expires_in: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for the actor and return it with its key: read-only or read and
    write, working until revoked or for `expires_in` days.

    Only the key's digest is stored, so the key is returned here once and can never be shown again.
    """
    require(actor, PeoplePermission.MANAGE_OWN_TOKENS)
    key = token_generate()
    expires_at = timezone.now() + datetime.timedelta(days=expires_in) if expires_in else None
    token = ApiToken(
        user=actor,
        name=name.strip(),
        prefix=key[:PREFIX_LENGTH],
        digest=token_digest(key),
        scope=scope,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(actor=actor, record=token, action=Action.CREATED)
    security_notice(
        user=actor,
        subject="A new API token was created",
        body=f"An API token named “{token.name}” (starting {token.prefix}) was created for your account.",
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens: it stops working at once. Revoking twice changes nothing."""
    require(actor, PeoplePermission.MANAGE_OWN_TOKENS)
    if token.user_id != actor.pk:
        raise PermissionDenied("You may revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        revoked = {"revoked_at": [None, token.revoked_at.isoformat()]}
        audit_record(actor=actor, record=token, action=Action.REVOKED, changes=revoked)
    return token


# Two-factor sign-in: an authenticator app (TOTP, django-otp) and one-time recovery codes.

RECOVERY_CODE_COUNT = 10
# 31 letters and digits that cannot be mistaken for one another (no 0/o, 1/l/i): 10 of them make
# about 50 bits, hashed and salted as ASVS 2.6.2 asks of a secret under 112 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class TwoFactorCheck(enum.Enum):
    """What a code typed at the second step of signing in turned out to be."""

    APP_CODE = "app"
    RECOVERY_CODE = "recovery"
    WRONG = "wrong"
    WAIT = "wait"  # too many wrong codes in a row: django-otp makes the next try wait (1, 2, 4… s)


def _recovery_code_new() -> str:
    letters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def _recovery_code_normal(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "")


def _recovery_digest(code: str, salt: str) -> str:
    return hashlib.sha256((salt + _recovery_code_normal(code)).encode()).hexdigest()


def _recovery_code_matches(stored: str, code: str) -> bool:
    salt, _, digest = stored.partition("$")
    return hmac.compare_digest(digest, _recovery_digest(code, salt))


def _recovery_codes_make(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    rows = []
    for code in codes:
        salt = secrets.token_hex(8)
        rows.append(RecoveryCode(user=user, digest=f"{salt}${_recovery_digest(code, salt)}"))
    RecoveryCode.objects.bulk_create(rows)
    return codes


@transaction.atomic
def two_factor_setup_start(*, actor: User) -> TOTPDevice:
    """Begin turning on two-factor sign-in: a new secret for the person's authenticator app, which
    stays unconfirmed (and unused at sign-in) until a code from the app proves the app has it.
    Starting again replaces an unconfirmed secret; while two-factor is on, it must be turned off first."""
    if two_factor_device(user=actor) is not None:
        raise ValidationError("Two-factor sign-in is already on. Turn it off first to move it to another app.")
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="Authenticator app", confirmed=False)


def two_factor_setup_confirm(*, actor: User, code: str) -> list[str] | None:
    """Turn two-factor sign-in on once the person types a code from the app they just set up.

    Returns the ten recovery codes, shown once; None when the code is wrong (or wrong too often in a
    row: each try then waits longer). The person is told by email that two-factor sign-in is on.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).first()
        if device is None:
            raise ValidationError("Start the set-up again: there is no authenticator app waiting to be confirmed.")
        if not device.verify_token(_digits(code)):
            return None  # the failure count is saved: the next try waits
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_make(actor)
        audit_record(actor=actor, record=actor, action=Action.TWO_FACTOR_ON, changes={"two_factor": [False, True]})
        security_notice(
            user=actor,
            subject="Two-factor sign-in is on",
            body="Two-factor sign-in was turned on for your account: signing in now also asks for a code "
            "from your authenticator app.",
        )
    return codes


@transaction.atomic
def two_factor_disable(*, actor: User, user: User) -> None:
    """Turn two-factor sign-in off: the person themself (the page asks for their password first),
    or an admin for someone who lost both their app and their recovery codes. The person is told."""
    if actor.pk != user.pk:
        require(actor, PeoplePermission.MANAGE_USERS)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        audit_record(actor=actor, record=user, action=Action.TWO_FACTOR_OFF, changes={"two_factor": [True, False]})
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    by = "you" if actor.pk == user.pk else f"an admin ({actor})"
    security_notice(
        user=user,
        subject="Two-factor sign-in is off",
        body=f"Two-factor sign-in was turned off for your account by {by}: signing in now asks for your password only.",
    )


@transaction.atomic
def recovery_codes_replace(*, actor: User) -> list[str]:
    """Ten new recovery codes for the person; the old ones stop working. Two-factor must be on."""
    if two_factor_device(user=actor) is None:
        raise ValidationError("Turn on two-factor sign-in first.")
    codes = _recovery_codes_make(actor)
    audit_record(actor=actor, record=actor, action=Action.RECOVERY_CODES, changes={})
    security_notice(
        user=actor,
        subject="New recovery codes",
        body="New two-factor recovery codes were made for your account; the earlier ones no longer work.",
    )
    return codes


def two_factor_check(*, user: User, code: str) -> TwoFactorCheck:
    """Check the code typed at the second step of signing in: a code from the app, accepted once
    (django-otp keeps the last time step used, ASVS 2.8.4), or a recovery code, accepted once (it
    is marked used, and the person is told). Wrong codes in a row make the next try wait."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return TwoFactorCheck.WRONG
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return TwoFactorCheck.WAIT
        digits = _digits(code)
        if digits.isdigit() and len(digits) == device.digits:
            verified = device.verify_token(digits)  # saves the time step, or the failure count
            return TwoFactorCheck.APP_CODE if verified else TwoFactorCheck.WRONG
        for recovery in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
            if _recovery_code_matches(recovery.digest, code):
                recovery.used_at = timezone.now()
                recovery.save(update_fields=["used_at"])
                device.throttle_reset()
                left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                security_notice(
                    user=user,
                    subject="A recovery code was used to sign in",
                    body=f"Someone signed in to your account with one of your recovery codes; {left} are left. "
                    "If it was not you, change your password and make new recovery codes.",
                )
                return TwoFactorCheck.RECOVERY_CODE
        device.throttle_increment()
    return TwoFactorCheck.WRONG


def _digits(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def sign_in_unlock(*, actor: User, user: User) -> int:
    """Lift a sign-in lockout of this person's account (failed attempts from every address are
    forgotten); returns how many records of failures were removed. Admins only."""
    require(actor, PeoplePermission.MANAGE_USERS)
    removed = int(axes_reset(username=user.get_username()))
    audit_record(actor=actor, record=user, action=Action.UNLOCKED, changes={"failed_sign_ins": [removed, 0]})
    return removed


def security_notice(*, user: User, subject: str, body: str) -> None:
    """Tell a person by email that their sign-in details changed (ASVS 2.2.3), once the change is
    saved; sent by the background worker so a slow mail server holds no page."""
    transaction.on_commit(lambda: tasks.security_notice_email.enqueue(user_id=user.pk, subject=subject, body=body))


def security_notice_email(*, user_id: int, subject: str, body: str) -> int:
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    context = {"user": user, "body": body, "site": settings.SITE_URL.rstrip("/")}
    text = render_to_string("people/email/security_notice.txt", context)
    return send_mail(f"Tandem: {subject}", text, None, [user.email])
