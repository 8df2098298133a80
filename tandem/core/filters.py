"""The base of every list's FilterSet (pages and API alike)."""

from collections.abc import Iterator
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError

from tandem.core.forms import InputGuard


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose form refuses, under the filter, a NUL character or an id beyond 64 bits
    (`core.forms.InputGuard`): the list shows unfiltered by it, never a 500. Every list's filters
    derive from it (`tandem/tests/test_no_500.py` checks)."""

    def get_form_class(self) -> type[forms.Form]:
        form_class: Any = super().get_form_class()
        return type(form_class.__name__, (InputGuard, form_class), {})


class _RowsOnce(django_filters.fields.ModelChoiceIterator):
    """The options of a `SmallTableChoiceField`, from the rows it has already read."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if field.null_label is not None:
            yield (field.null_value, field.null_label)
        for row in field.rows():
            yield self.choice(row)

    def __len__(self) -> int:
        field = self.field
        return len(field.rows()) + (field.empty_label is not None) + (field.null_label is not None)


class SmallTableChoiceField(django_filters.fields.ModelChoiceField):
    """A choice among the few rows of a small table (stages, products), read once per form: Django's
    ModelChoiceField reads the table twice, a `get` to check the value and the rows to draw the
    options, and every list page's filter bar paid both queries."""

    iterator = _RowsOnce

    def rows(self) -> list[Any]:
        if getattr(self, "_rows", None) is None:
            self._rows = list(self.queryset)
        return self._rows

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        result = super().__deepcopy__(memo)
        result._rows = None
        return result

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if self.null_label is not None and value == self.null_value:
            return value
        key = str(value.pk if isinstance(value, self.queryset.model) else value)
        for row in self.rows():
            if str(row.pk) == key:
                return row
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class SmallTableChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SmallTableChoiceField


class RemoteChoiceField(django_filters.fields.ModelChoiceField):
    """A choice among too many records to list (`core.forms.RemoteSelect`) that keeps the record it
    checked, so that the select draws the chosen option without reading it again."""

    checked_record: Any = None

    def to_python(self, value: Any) -> Any:
        record = super().to_python(value)
        self.checked_record = record if isinstance(record, self.queryset.model) else None
        return record


class RemoteChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = RemoteChoiceField
