"""The registry of record visibility: one selector per model, saying what a user may see.

Every list, detail, partial, API endpoint, export and task starts from the model's selector.
The generic tests walk this registry, so a model without a rule fails CI.
"""

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

Selector = Callable[..., QuerySet[Any]]

_SELECTORS: dict[str, Selector] = {}


def register(model_label: str, selector: Selector) -> None:
    _SELECTORS[model_label.lower()] = selector


def selector_for(model: type[Model]) -> Selector:
    return _SELECTORS[model._meta.label_lower]


def registered_labels() -> set[str]:
    return set(_SELECTORS)


def tandem_models() -> list[type[Model]]:
    """Every concrete model of Tandem's own apps: each must have a visibility rule."""
    return [m for m in apps.get_models() if m.__module__.startswith("tandem.")]
