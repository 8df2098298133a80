"""Shared pieces of the JSON API: personal-token auth and its limits, one error shape, cursor pagination."""

import functools
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

import pydantic_core
from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field as SchemaField
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.security import HttpBearer, SessionAuth

from tandem.core.constraints import length_message
from tandem.core.http import client_ip
from tandem.core.ratelimit import RateLimited, rate_count, rate_counters_forget
from tandem.core.text import ID_MAX, ID_MIN, NUL_MESSAGE, id_range_message, nul_paths
from tandem.people.models import ApiToken, User

TOKEN_PREFIX = "tdm_"
# What a read-only token may send: reads change nothing.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
M = TypeVar("M", bound=Model)
R = TypeVar("R")


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer tdm_…` with a personal token created on the profile page.

    Each token may make API_RATE_LIMIT requests per API_RATE_WINDOW seconds. Unknown and revoked
    tokens are counted per address: past API_BAD_TOKEN_LIMIT in a window, the address gets 429
    instead of 401, so guessing tokens costs the guesser time, as guessing passwords does.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:  # the digest is unique: `get`, where `first` would sort
            api_token = ApiToken.objects.select_related("user").get(
                Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                digest=token_digest(token),
                revoked_at__isnull=True,
                user__is_active=True,
            )
        except ApiToken.DoesNotExist:
            request.api_token_refused = True  # type: ignore[attr-defined]  # read by the 401's WWW-Authenticate
            _count_bad_token(request)
            return None
        api_rate_count(key=f"token:{api_token.pk}")
        if api_token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise PermissionDenied(
                f"The token “{api_token.name}” may only read. To make changes, create a read-and-write "
                "token on your profile page."
            )
        # Record use at most once a minute: a busy integration must not write on every call.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (with CSRF on writes), for htmx and the interactive docs. Counted
    against the same limit as a token, per person, so a script cannot step around the token's
    limit by signing in."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        if user is not None:
            api_rate_count(key=f"user:{user.pk}")
        return user


def api_rate_count(*, key: str) -> None:
    """Count one API request of a token or a person; raises RateLimited (429) past the limit."""
    rate_count(key=key, limit=settings.API_RATE_LIMIT, window=settings.API_RATE_WINDOW)


def _count_bad_token(request: HttpRequest) -> None:
    now = time.time()
    window = settings.API_RATE_WINDOW
    key = f"bad-token:{client_ip(request)}"
    count = rate_count(key=key, limit=settings.API_BAD_TOKEN_LIMIT, window=window, now=now)
    if count == 1:
        # A new window for this address: drop the rows of addresses long gone, which nothing else would.
        rate_counters_forget(older_than=now - max(3600, 2 * window))


_django_json = DjangoJSONEncoder()  # for what the Rust serializer does not know (lazy strings)


class JsonRenderer(BaseRenderer):
    """JSON written by pydantic's serializer, in Rust: a page of 50 features carries 750 decimals and
    dates, and json.dumps's Python hook for them took a tenth of the request. Decimals stay strings,
    as Django's encoder writes them; times keep their microseconds."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return pydantic_core.to_json(data, fallback=_django_json.default)


class StaleVersion(Exception):
    """Raised by a service when a write was based on an older version than the stored one."""

    message = "Someone else changed this record since you loaded it. Reload it and apply your change again."

    def __str__(self) -> str:
        # The service's own words when it gave some, else the common message: never an empty error.
        return str(self.args[0]) if self.args and self.args[0] else self.message


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


# Every operation: 422 too, for a parameter that does not parse (`/api/accounts/abc`, `?limit=0`).
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# 400: a body that is not JSON; 413: a body over the limit (core.middleware.RequestBodyLimitMiddleware).
WRITE_ERRORS = {**ERRORS, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}
EMPTY = "This field cannot be empty."

# A record's id, as sent in a filter or a body: a whole number the database can hold (64 bits). A
# larger one is a 422 on its field; without the bound it reached the database, which refused it
# with a 500 ("Python int too large to convert to SQLite INTEGER", "integer out of range").
Id = Annotated[int, SchemaField(ge=ID_MIN, le=ID_MAX)]


def omittable(**options: Any) -> Any:
    """A field of a PATCH body that may be left out (the record keeps its value) but not sent as
    null: annotated with its type alone, so the OpenAPI document shows no null and a null is a 422
    on the field ("This field cannot be empty."), not a write the database refuses with a 500.
    Left out, it reads None: take the body with `dict(exclude_unset=True)`."""
    return SchemaField(None, **options)


class TandemAPI(NinjaAPI):
    """The API, whose schema refusals read as the pages' where they refuse the same thing: ninja
    drops each error's input before the handlers see it, and the input is what says "it has 2,140
    characters" or that the value sent was null."""

    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> NinjaValidationError:
        error = super().validation_error_from_error_contexts(error_contexts)
        seen = [e for context in error_contexts for e in context.pydantic_validation_error.errors(include_url=False)]
        for shown, raw in zip(error.errors, seen, strict=True):
            shown["msg"] = _schema_error_message(raw)
        return error


def _schema_error_message(error: Mapping[str, Any]) -> str:
    """A schema's refusal: a text too long or a null, as the pages say them; else pydantic's words."""
    kind, value = error.get("type"), error.get("input")
    if kind == "string_too_long" and isinstance(value, str):
        return length_message(error["ctx"]["max_length"], len(value))
    if (value is None and kind != "missing") or (kind == "string_too_short" and error["ctx"]["min_length"] == 1):
        return EMPTY
    if (kind == "less_than_equal" and error["ctx"]["le"] == ID_MAX) or (
        kind == "greater_than_equal" and error["ctx"]["ge"] == ID_MIN
    ):
        return id_range_message()
    return str(error.get("msg", "Invalid value."))


def install_error_handlers(api: NinjaAPI) -> None:
    """One error shape for every failure: `{"detail": …, "errors": {field: [messages]}}`."""

    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return api.create_response(request, {"detail": "Some values are not valid.", "errors": errors}, status=422)

    def ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            loc = [str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query", "filters")]
            errors.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "Invalid value."))
        return api.create_response(request, {"detail": "Some values are not valid.", "errors": errors}, status=422)

    def denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": "Not found."}, status=404)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        refused = getattr(request, "api_token_refused", False)
        detail = "This API token is not valid: it is unknown, revoked, expired or its owner is deactivated."
        response = api.create_response(
            request, {"detail": detail if refused else "Sign in or send a personal API token."}, status=401
        )
        # RFC 6750: name the scheme, and say when the token sent was the problem.
        response["WWW-Authenticate"] = 'Bearer realm="Tandem API"' + (', error="invalid_token"' if refused else "")
        return response

    def rate_limited(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = f"Too many requests: at most {exc.limit} every {exc.window} seconds. Try again in {exc.retry_after} s."
        response = api.create_response(request, {"detail": detail}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    def stale(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # Ninja's own refusals; the one it raises is 400 for a body that does not parse as JSON.
        detail = "The body is not valid JSON." if exc.status_code == 400 else str(exc)
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(StaleVersion, stale)
    api.add_exception_handler(NinjaValidationError, ninja_validation)
    api.add_exception_handler(PermissionDenied, denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(RateLimited, rate_limited)


def refuse_nul_text(view: Callable[..., Any]) -> Callable[..., Any]:
    """Applied to every operation once ninja has parsed its parameters and body: text holding a NUL
    character is a 422 on its field. PostgreSQL cannot store or compare it (a 500), SQLite stored
    it silently; the pages' forms refuse it in the same words."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **values: Any) -> Any:
        errors: dict[str, list[str]] = {}
        for name, value in values.items():
            data = value.model_dump() if isinstance(value, Schema) else value
            # A query or body schema's fields are the parameters sent; a plain parameter is itself.
            for path in nul_paths(data, prefix=() if isinstance(value, Schema) else (name,)):
                errors.setdefault(".".join(path) or name, []).append(NUL_MESSAGE)
        if errors:
            raise ValidationError(errors)
        return view(request, *args, **values)

    return checked


def filterset_apply(
    filterset_class: type[Any], data: Mapping[str, Any], *, queryset: "QuerySet[M, R]", request: HttpRequest
) -> "QuerySet[M, R]":
    """Filter an API list with the FilterSet its page uses; invalid parameters are field errors (422)."""
    if not data:  # empty values filter nothing; building the filter form cost a tenth of a list's CPU
        return queryset
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError({field: list(messages) for field, messages in filterset.errors.items()})
    return filterset.qs


def errors_renamed(error: ValidationError, names: Mapping[str, str]) -> ValidationError:
    """Service errors name model fields (`owner`); the API body sent ids (`owner_id`): rename them so
    each message sits on the field the caller sent."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(field, field): messages for field, messages in error.error_dict.items()})


CURSOR_INVALID = "This cursor is not valid; use the next_cursor of a previous page."
CURSOR_ROW_GONE = "The item this cursor follows has left the list; start again from the first page."
CURSOR_MAX_LENGTH = 2000


class _CursorSerializer:
    """The JSON of a cursor's sort values; dates, times and decimals as their text (`to_python` reads it back)."""

    def dumps(self, values: Any) -> bytes:
        return json.dumps(values, default=str, separators=(",", ":")).encode()

    def loads(self, data: bytes) -> Any:
        return json.loads(data)


def _cursor_salt(queryset: "QuerySet[Any, Any]", fields: Sequence[str]) -> str:
    """A cursor is signed for one list and one sort order: any other cursor is refused before it is read."""
    return f"tandem.cursor:{queryset.model._meta.label}:{','.join(fields)}"


def _encode(values: list[Any], *, salt: str) -> str:
    return signing.dumps(values, salt=salt, serializer=_CursorSerializer, compress=True)


def _decode(cursor: str, *, salt: str) -> list[Any]:
    """The sort values of a cursor this list gave out, else a 422 on `cursor`: a tampered cursor
    (wrong shape, wrong types, deep nesting, huge) fails the signature, whatever it holds."""
    if len(cursor) > CURSOR_MAX_LENGTH:
        raise ValidationError({"cursor": [CURSOR_INVALID]})
    try:
        values = signing.loads(cursor, salt=salt, serializer=_CursorSerializer)
    except (signing.BadSignature, ValueError, TypeError, RecursionError) as exc:
        raise ValidationError({"cursor": [CURSOR_INVALID]}) from exc
    if not isinstance(values, list):
        raise ValidationError({"cursor": [CURSOR_INVALID]})
    return values


def _sort_field(model: type[Model], dotted: str) -> Field | None:
    """The model field a sort key (`evidence__score`, `stage__order`) names, through its relations."""
    parts = dotted.split("__")
    for i, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if i == len(parts) - 1:
            return field if isinstance(field, Field) else None
        if field.related_model is None:
            return None
        model = field.related_model
    return None


def _cursor_values(queryset: "QuerySet[Any, Any]", fields: Sequence[str], values: list[Any]) -> list[Any]:
    """Each value read back as its field's type; one that is not (a cursor signed by an older
    release, say) is a 422 on `cursor`, never a query the database refuses."""
    if len(values) != len(fields):
        raise ValidationError({"cursor": ["This cursor belongs to another sort order."]})
    parsed = []
    for name, raw in zip(fields, values, strict=True):
        field = _sort_field(queryset.model, name)
        if raw is None or isinstance(raw, list | dict) or field is None:
            raise ValidationError({"cursor": [CURSOR_INVALID]})
        try:
            value = field.to_python(raw)
            field.run_validators(value)
        except (ValidationError, TypeError, ValueError) as exc:
            raise ValidationError({"cursor": [CURSOR_INVALID]}) from exc
        parsed.append(value)
    return parsed


def _row_values(queryset: "QuerySet[Any, Any]", fields: Sequence[str], values: list[Any]) -> list[Any]:
    """The sort values of the row an opaque cursor names, read from the list as the reader sees it."""
    if len(values) != 1 or not isinstance(values[0], int):
        raise ValidationError({"cursor": [CURSOR_INVALID]})
    row = queryset.filter(**{fields[-1]: values[0]}).values_list(*fields).first()
    if row is None:
        raise ValidationError({"cursor": [CURSOR_ROW_GONE]})
    return list(row)


def cursor_paginate(
    queryset: "QuerySet[Any, R]",
    *,
    order: Sequence[str],
    cursor: str | None,
    limit: int,
    opaque: bool = False,
) -> tuple[list[R], str | None]:
    """Keyset pagination: stable under inserts and as fast on page 1,000 as on page 1.

    `order` lists non-null fields with an optional '-' and must end with a unique one ("id"). The
    rows are model instances, or the dicts of `.values()` when those hold the `order` fields. The
    cursor is signed (SECRET_KEY) for this list and sort order, and its values are read back as
    their fields' types: any other cursor is a 422 on `cursor`. A signed cursor is readable, so
    when a sort value is one the reader may not see (a release's exact target day), `opaque`
    makes the cursor name only the last row, whose sort values are read again on the next page.
    """
    fields = [name.lstrip("-") for name in order]
    descending = [name.startswith("-") for name in order]
    salt = _cursor_salt(queryset, fields) + (":row" if opaque else "")
    queryset = queryset.order_by(*order)
    if cursor:
        values = _decode(cursor, salt=salt)
        if opaque:
            values = _row_values(queryset, fields, values)
        parsed = _cursor_values(queryset, fields, values)
        after = Q()
        for i, name in enumerate(fields):
            step = Q(**{f"{name}__{'lt' if descending[i] else 'gt'}": parsed[i]})
            for j in range(i):
                step &= Q(**{fields[j]: parsed[j]})
            after |= step
        queryset = queryset.filter(after)
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    if opaque:
        return rows, _encode([_value(last, fields[-1])], salt=salt)
    return rows, _encode([_value(last, name) for name in fields], salt=salt)


def row_or_404(rows: "QuerySet[Any, R]", pk: int) -> R:
    """One row of a visible list (model or `.values()`) by id, else 404. `get_object_or_404` does
    the same, but its typing accepts models only."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _value(row: Any, dotted: str) -> Any:
    if isinstance(row, dict):
        return row[dotted]
    value: Any = row
    for part in dotted.split("__"):
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value
