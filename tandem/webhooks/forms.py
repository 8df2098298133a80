from typing import Any

from django import forms

from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.webhooks.events import Event
from tandem.webhooks.models import Subscription


class SubscriptionForm(ServiceErrorsMixin, InputGuard, forms.ModelForm[Subscription]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)
    events = forms.MultipleChoiceField(
        choices=Event.choices, widget=forms.CheckboxSelectMultiple, help_text="What it is told of."
    )

    url = forms.URLField(
        label="Address",
        max_length=2000,
        assume_scheme="https",
        help_text=Subscription._meta.get_field("url").help_text,
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "events", "slack_format", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        bootstrap(self)

    def _post_clean(self) -> None:
        pass  # the service runs full_clean and reports under the fields
