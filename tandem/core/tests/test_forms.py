"""The Python form renderer writes the same HTML as Django's widget templates."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from tandem.core.forms import FormRenderer
from tandem.people.models import User


class Everything(forms.Form):
    q = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"class": "form-control", "placeholder": 'Say "hi" & <go>'})
    )
    count = forms.IntegerField(min_value=0)
    email = forms.EmailField()
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    version = forms.IntegerField(widget=forms.HiddenInput)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    choice = forms.ChoiceField(choices=[("", "Any"), ("a", "A & B"), ("b", "<b>")])
    grouped = forms.ChoiceField(choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Other")])
    person = forms.ModelChoiceField(queryset=User.objects.order_by("pk"), empty_label="Anyone")
    agree = forms.BooleanField(required=False)


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_renders_as_django_does(bound: bool, rep: User, other_rep: User) -> None:
    data = {
        "q": "<script>",
        "count": "-1",
        "email": "not an email",
        "secret": "s3cret",
        "version": "4",
        "when": "2026-11-23",
        "note": "line one\n<line two>",
        "choice": "b",
        "grouped": "pear",
        "person": str(other_rep.pk),
        "agree": "on",
    }
    ours = Everything(data if bound else None, initial={"when": datetime.date(2026, 1, 2)}, renderer=FormRenderer())
    djangos = Everything(
        data if bound else None, initial={"when": datetime.date(2026, 1, 2)}, renderer=DjangoTemplates()
    )
    for name in Everything.base_fields:
        assert parse_html(str(ours[name])) == parse_html(str(djangos[name])), name
    assert ('value="b" selected' in str(ours["choice"])) is bound
