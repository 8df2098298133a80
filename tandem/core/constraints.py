"""Database constraints that say which field they are about, in the product's words.

Django reports a refused `CheckConstraint` (and a `UniqueConstraint` over several fields or with a
condition) under no field, with a message naming the constraint: the new-account form showed
`Constraint "account_revenue_not_negative" is violated.` above the form and nothing under
*Annual revenue*. These subclasses take the field the rule is about and a message every user can
read, and raise `ValidationError({field: message})` from `validate()`: `Model.full_clean` merges
it into that field's errors, so a service's refusal lands beside the field on a form
(`ServiceErrorsMixin.add_service_error`) and under the field's name in the API's 422
(`core.api.errors_renamed` maps model fields to the body's names).

The database still holds every rule: the SQL of these constraints is Django's own, and the field
and message change nothing in it. That is why the migrations that turned the plain constraints into
these ones use `AlterConstraint` (no SQL) instead of the drop and re-add Django writes for a change
of class, which would re-validate the 500,000 asks and 1,000,000 deals of a large workspace under
an exclusive lock. `tandem/tests/test_constraints.py` fails on a constraint without a field and a
message, and shows each one's message under its field through a form, the API or `full_clean`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.utils.deconstruct import deconstructible

from tandem.core import formats


class _OnField:
    """What both kinds share: the field, a required message, the field in migrations and equality."""

    field: str
    name: str

    def __init__(self, *args: Any, field: str, violation_error_message: str, **kwargs: Any) -> None:
        self.field = field
        super().__init__(*args, violation_error_message=violation_error_message, **kwargs)  # type: ignore[call-arg]

    def validate(
        self,
        model: type[models.Model],
        instance: models.Model,
        exclude: Any = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)  # type: ignore[misc]
        except ValidationError as error:
            raise ValidationError({self.field: error}) from error

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return path, args, {**kwargs, "field": self.field}

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.field == getattr(other, "field", None)


class FieldCheckConstraint(_OnField, models.CheckConstraint):
    """A `CheckConstraint` whose refusal is `field`'s error, worded as `violation_error_message`."""


class FieldUniqueConstraint(_OnField, models.UniqueConstraint):
    """A `UniqueConstraint` whose refusal is `field`'s error, worded as `violation_error_message`
    (Django keeps only single-field, unconditional ones on their field, in its own words)."""


@deconstructible
class LengthLimit:
    """At most `limit` characters of free text, said in the product's words with both figures.

    Django's `TextField(max_length=…)` sizes the form widget and nothing else: `full_clean` lets a
    1 MB ask through. This validator is what the services' `full_clean` refuses it with, so pages,
    the API and any import share the limit; the API's schemas declare the same figure
    (`Field(max_length=text_limit(…))`) so the OpenAPI document shows it.
    """

    code = "max_length"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(length_message(self.limit, len(value)), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LengthLimit) and other.limit == self.limit

    def __hash__(self) -> int:
        return hash(self.limit)


def length_message(limit: int, length: int) -> str:
    """The one way Tandem says a text is too long (forms, services and the API's 422)."""
    return f"Keep it to {formats.number(limit)} characters or fewer (it has {formats.number(length)})."


def text_field(*args: Any, limit: int, **options: Any) -> models.TextField:
    """Free text people write, with its length limit (`LengthLimit`). The limit is a validator, not
    the column's `max_length`: a TextField's `max_length` would make SQLite rebuild the table to
    add it and PostgreSQL would store the same `text` column anyway."""
    options["validators"] = [LengthLimit(limit)]
    return models.TextField(*args, **options)


def text_limit(model: type[models.Model], name: str) -> int:
    """The length limit of one of `model`'s free-text fields, for forms and API schemas."""
    for validator in model._meta.get_field(name).validators:  # type: ignore[union-attr]
        if isinstance(validator, LengthLimit):
            return validator.limit
    raise LookupError(f"{model.__name__}.{name} has no length limit")


def constraint_message(model: type[models.Model], name: str) -> str:
    """What constraint `name` of `model` says when refused: for a form field that checks the same
    rule first (a number input's bounds), so the page says it in the same words."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.get_violation_error_message())
    raise LookupError(f"{model.__name__} has no constraint {name}")
