"""The base of every list's FilterSet (pages and API alike)."""

from typing import Any

import django_filters
from django import forms

from tandem.core.forms import InputGuard


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose form refuses, under the filter, a NUL character or an id beyond 64 bits
    (`core.forms.InputGuard`): the list shows unfiltered by it, never a 500. Every list's filters
    derive from it (`tandem/tests/test_no_500.py` checks)."""

    def get_form_class(self) -> type[forms.Form]:
        form_class: Any = super().get_form_class()
        return type(form_class.__name__, (InputGuard, form_class), {})
