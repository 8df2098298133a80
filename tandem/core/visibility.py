"""The registry of record rules: per model, what a user may see and, separately, what they may change.

Every list, detail, partial, API endpoint, export and task starts from the model's read rule
(`<model>_visible`); every edit and delete, in pages, the API and the admin, from its write rule
(`<model>_changeable`). Seeing a record through a related one is not owning it: the write rule is
never "whatever is visible" by default. The generic tests walk this registry, so a model without
both rules fails CI.
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

Selector = Callable[..., QuerySet[Any]]

_SELECTORS: dict[str, Selector] = {}
_CHANGEABLE: dict[str, Selector] = {}


def register(model_label: str, selector: Selector, *, changeable: Selector) -> None:
    _SELECTORS[model_label.lower()] = selector
    _CHANGEABLE[model_label.lower()] = changeable


def selector_for(model: type[Model]) -> Selector:
    return _SELECTORS[model._meta.label_lower]


def changeable_for(model: type[Model]) -> Selector:
    return _CHANGEABLE[model._meta.label_lower]


def registered_labels() -> set[str]:
    return set(_SELECTORS)


def tandem_models() -> list[type[Model]]:
    """Every concrete model of Tandem's own apps: each must have a visibility rule."""
    return [m for m in apps.get_models() if m.__module__.startswith("tandem.")]
