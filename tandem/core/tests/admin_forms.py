"""Posting an admin change form as a browser would: the page's own form, with some fields changed."""

from typing import Any

from django import forms
from django.test import Client


def change_form_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """What the change page at `url` posts as it stands (its hidden fingerprint included), with
    `changes`; False unticks a checkbox."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value, widget = form[name].value(), field.widget
        if isinstance(widget, forms.MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else part
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data
