"""HTML form input of the lead pages. Forms only parse and validate; the services write."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from tandem.core.forms import ServiceErrorsMixin, bootstrap
from tandem.core.roles import Role
from tandem.leads.models import Lead
from tandem.leads.selectors import FUNNEL_GROUPS
from tandem.people.models import User
from tandem.people.selectors import territory_visible
from tandem.sales.forms import assignable_owners
from tandem.sales.models import Account, Stage
from tandem.sales.selectors import stage_visible

NEW_ACCOUNT = "new"


class LeadForm(ServiceErrorsMixin, forms.ModelForm):
    """A lead. `version` is the version the user opened; the service refuses the save if someone
    changed the lead since. *Converted* is not offered: converting is its own step."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Lead
        fields = [
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "company",
            "country",
            "region",
            "source",
            "campaign",
            "owner",
            "territory",
            "status",
            "disqualified_reason",
            "budget",
            "authority",
            "need",
            "timeline",
        ]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "disqualified_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "budget": "Budget (home currency)",
            "disqualified_reason": "Why disqualified",
            "need": "Need: the problem they want solved",
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(v, label) for v, label in Lead.Status.choices if v != Lead.Status.CONVERTED]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = assignable_owners(user)
        if user.role == Role.REP or self.instance.pk:
            owner.initial = owner.initial or user.pk
        else:
            # Left empty, a new lead goes to a rep by the assignment rule (services.lead_create).
            owner.required = False
            owner.empty_label = "Assign by territory, then workload"
        territory = self.fields["territory"]
        assert isinstance(territory, forms.ModelChoiceField)
        territory.queryset = territory_visible(user=user)
        bootstrap(self)

    def _post_clean(self) -> None:
        # The service validates the whole lead (status rules, constraints) and reports field errors.
        pass


def default_close_date() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=90)


class LeadConvertForm(ServiceErrorsMixin, forms.Form):
    """Converting a lead: into one of the suggested matching accounts or a new one, with the deal's
    name, stage, amount and close date. The contact is the lead's person as they are."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    account = forms.ChoiceField(label="Account", widget=forms.RadioSelect)
    deal_name = forms.CharField(label="Deal name", max_length=200)
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), empty_label=None)
    amount = forms.DecimalField(
        min_value=0,
        max_digits=16,
        decimal_places=2,
        initial=0,
        error_messages={"min_value": "The amount cannot be negative."},
    )
    close_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: User, lead: Lead, matches: list[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.matches = {str(account.pk): account for account in matches}
        account = self.fields["account"]
        assert isinstance(account, forms.ChoiceField)
        account.choices = [
            *[(pk, f"{a.name} (existing account, {a.owner})") for pk, a in self.matches.items()],
            (NEW_ACCOUNT, f"A new account: {lead.company}"),
        ]
        account.initial = next(iter(self.matches), NEW_ACCOUNT)
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ModelChoiceField)
        stage.queryset = stage_visible(user=user).filter(is_won=False, is_lost=False)
        stage.initial = stage.queryset.values_list("pk", flat=True).first()
        self.fields["version"].initial = lead.version
        self.fields["deal_name"].initial = f"{lead.company} — new business"
        self.fields["close_date"].initial = default_close_date()
        bootstrap(self)

    def chosen_account(self) -> Account | None:
        """The matching account chosen, or None for a new one."""
        return self.matches.get(self.cleaned_data["account"])


class FunnelForm(forms.Form):
    """The funnel's period and grouping: any period, by source, campaign or rep (the last 90 days
    by source when not given)."""

    start = forms.DateField(label="Created from", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Created to", widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label="By", choices=list(FUNNEL_GROUPS.items()))

    def __init__(self, data: Any = None) -> None:
        today = timezone.localdate()
        self.defaults = {"start": today - datetime.timedelta(days=89), "end": today, "by": "source"}
        bound = {**{k: str(v) for k, v in self.defaults.items()}, **{k: v for k, v in (data or {}).items() if v}}
        super().__init__(bound)
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period comes after its start.")
        return data

    def period(self) -> dict[str, Any]:
        """The valid period and grouping, or the defaults when the form is not valid."""
        return dict(self.cleaned_data) if self.is_valid() else dict(self.defaults)
