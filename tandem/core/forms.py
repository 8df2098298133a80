"""How form widgets become HTML.

Django renders each widget, and each option of a select, through the template engine: about a
millisecond per input and more per select, and every list page has a filter bar. The renderer
below writes the plain inputs, textareas and selects in Python, to the same HTML; any other
widget template still goes through the engine.
"""

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise as StrPromise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tandem.core.text import ID_MAX, ID_MIN, NUL_MESSAGE, has_nul, id_range_message


def _attrs(attrs: Mapping[str, Any]) -> SafeString:
    """As `django/forms/widgets/attrs.html`: False leaves an attribute out, True writes its name alone."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _input(widget: Mapping[str, Any]) -> SafeString:
    value = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
    return format_html(
        '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value, _attrs(widget["attrs"])
    )


def _textarea(widget: Mapping[str, Any]) -> SafeString:
    value = "" if widget["value"] is None else conditional_escape(widget["value"])
    return format_html('<textarea name="{}"{}>\n{}</textarea>', widget["name"], _attrs(widget["attrs"]), value)


def _options(options: list[Mapping[str, Any]]) -> SafeString:
    return format_html_join(
        "\n  ",
        '<option value="{}"{}>{}</option>',
        ((str(option["value"]), _attrs(option["attrs"]), option["label"]) for option in options),
    )


def _select(widget: Mapping[str, Any]) -> SafeString:
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            groups.append(format_html('\n  <optgroup label="{}">\n  {}\n  </optgroup>', group_name, _options(options)))
        else:
            groups.append(format_html("\n  {}", _options(options)))
    return format_html(
        '<select name="{}"{}>{}\n</select>', widget["name"], _attrs(widget["attrs"]), mark_safe("".join(groups))
    )


_WIDGETS = "django/forms/widgets/"
_IN_PYTHON: dict[str, Callable[[Mapping[str, Any]], SafeString]] = {
    **{
        f"{_WIDGETS}{name}.html": _input
        for name in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "search",
            "tel",
            "date",
            "time",
            "datetime",
            "color",
        )
    },
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}select.html": _select,
}


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the common widgets written in Python (see the module docstring)."""

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        in_python = _IN_PYTHON.get(template_name)
        if in_python is not None and "widget" in context:
            return in_python(context["widget"])
        return super().render(template_name, context, request)


class RemoteSelect(forms.Select):
    """A select over too many records to list (200,000 accounts): it renders only the chosen option,
    and the browser searches the rest as the user types (tom-select, `js/remote-select.js`), from
    an endpoint that answers `?q=` with `{"options": [{"value", "text"}]}` (see `remote_options`).
    The field's queryset still validates what is posted."""

    def __init__(self, url: "str | StrPromise", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, value, {**(attrs or {}), "data-options-url": str(self.url)})

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> list[Any]:
        # Only whole numbers name a record: "0." is within range but no id (the page fuzzer's 500).
        chosen = {str(v).strip() for v in value if v not in ("", None) and _is_id(str(v))}
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = self.choices.field  # type: ignore[attr-defined]
        options = [self.create_option(name, "", field.empty_label or "", not chosen, 0)]
        if chosen:
            # The record the field has just checked, when it did (`RemoteChoiceField`): not read again.
            checked = getattr(field, "checked_record", None)
            reuse = checked is not None and {str(checked.pk)} == chosen
            records = [checked] if reuse else queryset.filter(pk__in=chosen)
            for index, record in enumerate(records, start=1):
                options.append(self.create_option(name, str(record.pk), field.label_from_instance(record), True, index))
        return [(None, options, 0)]


def _is_id(text: str) -> bool:
    return text.strip().lstrip("-").isdecimal() and within_range(text)


def within_range(text: str) -> bool:
    """Whether a number typed in a query or a form fits a database integer (ids, counts)."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return False
    return number.is_finite() and ID_MIN <= number <= ID_MAX


# Fields whose value ends up compared with an integer column: a record picked by id, a number.
_NUMERIC_FIELDS = (forms.ModelChoiceField, forms.IntegerField, forms.DecimalField)


def _input_refusal(field: forms.Field, values: list[Any]) -> str | None:
    texts = [value for value in values if isinstance(value, str)]
    if any(has_nul(text) for text in texts):
        return NUL_MESSAGE
    if isinstance(field, _NUMERIC_FIELDS):
        for text in texts:
            try:
                number = Decimal(text.strip())
            except InvalidOperation:
                continue  # not a number: the field says so itself
            if number.is_finite() and not ID_MIN <= number <= ID_MAX:
                return id_range_message() if isinstance(field, forms.ModelChoiceField) else "This number is too large."
    return None


class InputGuard:
    """Refuses, under the field, what the database would answer with a 500: text holding a NUL
    character (PostgreSQL cannot store or compare it) and a number or id beyond 64 bits (SQLite
    cannot bind it; a form's record choice looked it up before any validator ran). The value is
    dropped before the form reads it, so nothing downstream (a list's filter, a select showing the
    chosen record) sees it. Every filter form (`core.filters.FilterSet`) and page form has it."""

    fields: dict[str, forms.Field]
    data: Any
    is_bound: bool

    def full_clean(self) -> None:
        refusals: dict[str, str] = {}
        if self.is_bound:
            data = self.data.copy()
            for name, field in self.fields.items():
                key = self.add_prefix(name)  # type: ignore[attr-defined]
                values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
                refusal = _input_refusal(field, values)
                if refusal is not None:
                    refusals[name] = refusal
                    data.pop(key, None)
            self.data = data
        super().full_clean()  # type: ignore[misc]
        for name, refusal in refusals.items():
            # The refusal replaces what the field said of its emptied value ("This field is required.").
            self.errors.pop(name, None)  # type: ignore[attr-defined]
            self.add_error(name, refusal)  # type: ignore[attr-defined]


def remote_options(records: Iterable[Any], *, label: Callable[[Any], str] = str) -> JsonResponse:
    """The answer a `RemoteSelect` expects: at most the records given, as value and text."""
    return JsonResponse({"options": [{"value": record.pk, "text": label(record)} for record in records]})


def bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap 5's class on every widget that takes one (list filters and forms alike)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


class ServiceErrorsMixin:
    """For forms whose writes go through a service: `is-invalid` on the fields that failed, and a
    service's ValidationError shown beside the fields it names (`names` maps service → form names)."""

    fields: dict[str, forms.Field]
    errors: Any

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

    def add_service_error(self, error: ValidationError, names: dict[str, str] | None = None) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.error_dict.items():
                name = (names or {}).get(field, field)
                self.add_error(name if name in self.fields else None, messages)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error)  # type: ignore[attr-defined]
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])
