"""HTML form input of the sales pages. Forms only parse and validate; the services write."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy

from tandem.competition.models import Competitor
from tandem.competition.selectors import competitor_visible
from tandem.core.constraints import constraint_message
from tandem.core.forms import InputGuard, RemoteSelect, ServiceErrorsMixin, bootstrap
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.people.selectors import team_member_ids, territory_visible, user_visible
from tandem.sales.models import Account, Contact, DealContact, Opportunity, Stage
from tandem.sales.selectors import account_visible, stage_visible


def assignable_owners(user: User) -> QuerySet[User]:
    """Who the user may pick as owner: a rep themselves, a manager their teams, an admin anyone active."""
    people = user_visible(user=user).filter(is_active=True)
    if user.role == Role.ADMIN:
        return people
    if user.role == Role.SALES_MANAGER:
        return people.filter(pk__in=team_member_ids(manager=user))
    return people.filter(pk=user.pk)


class SalesForm(ServiceErrorsMixin, InputGuard, forms.ModelForm):
    """A sales record's form: the sales services validate and write it."""


class AccountForm(SalesForm):
    """An account. `version` is the version the user opened; the service refuses the save if someone
    changed the account since."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Account
        fields = [
            "name",
            "owner",
            "industry",
            "segment",
            "status",
            "employees",
            "region",
            "territory",
            "annual_revenue",
        ]
        labels = {"annual_revenue": "Annual revenue (home currency)"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = assignable_owners(user)
        owner.initial = owner.initial or user.pk
        territory = self.fields["territory"]
        assert isinstance(territory, forms.ModelChoiceField)
        territory.queryset = territory_visible(user=user)
        bootstrap(self)


class ContactForm(SalesForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "title", "email", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class OpportunityForm(SalesForm):
    """A deal. Probability and forecast category left blank take the stage's defaults.

    `version` is the version the user opened; the service refuses the save if someone changed the
    deal since.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    probability = forms.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Leave blank for the stage's probability.",
        error_messages=dict.fromkeys(
            ("min_value", "max_value"), constraint_message(Opportunity, "opportunity_probability_range")
        ),
    )
    forecast_category = forms.ChoiceField(
        choices=[("", "Stage default"), *Stage.ForecastCategory.choices], required=False
    )

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "account",
            "owner",
            "amount",
            "currency",
            "close_date",
            "stage",
            "probability",
            "forecast_category",
            "type",
            "lead_source",
            "competitor",
            "loss_reason",
            "loss_note",
        ]
        widgets = {
            "account": RemoteSelect(reverse_lazy("sales:account_options")),
            "close_date": forms.DateInput(attrs={"type": "date"}),
            "loss_note": forms.Textarea(attrs={"rows": 2}),
            "currency": forms.TextInput(attrs={"maxlength": 3, "style": "text-transform: uppercase"}),
        }
        labels = {"competitor": "Competitor (fought or lost to)"}

    def __init__(self, *args: Any, user: User, account: Account | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A deal stays on its account; move it by creating a new one.
            del self.fields["account"]
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            accounts = self.fields["account"]
            assert isinstance(accounts, forms.ModelChoiceField)
            if account is not None:
                accounts.queryset = account_visible(user=user).filter(pk=account.pk)
                accounts.initial = account.pk
            else:
                accounts.queryset = account_visible(user=user).only("id", "name")
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = assignable_owners(user)
        owner.initial = owner.initial or user.pk
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ModelChoiceField)
        stage.queryset = stage_visible(user=user)
        competitor = self.fields["competitor"]
        assert isinstance(competitor, forms.ModelChoiceField)
        competitor.queryset = competitor_visible(user=user)
        bootstrap(self)

    def _post_clean(self) -> None:
        # The service validates the whole deal (with amount_home and the stage rules) and reports
        # field errors; validating a half-built instance here would repeat or contradict it.
        pass


class OpportunityMoveForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """A card dropped on another column of the board: the stage, the version the board showed, and on
    a lost stage that asks for it, why the deal was lost and to whom."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.none())
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    loss_reason = forms.ChoiceField(choices=[("", "Choose a reason"), *Opportunity.LossReason.choices], required=False)
    competitor = forms.ModelChoiceField(queryset=Competitor.objects.none(), required=False, empty_label="Which one?")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stage_visible(user=user)  # type: ignore[attr-defined]
        self.fields["competitor"].queryset = competitor_visible(user=user)  # type: ignore[attr-defined]
        bootstrap(self)


class BoardColumnForm(InputGuard, forms.Form):
    """Which column to show more of, and how many cards it shows already."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.all())
    after = forms.IntegerField(min_value=0, max_value=100_000)


class NextStepForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """The deal's next step and its date, with the version of the deal the page showed."""

    next_step = forms.CharField(
        required=False,
        max_length=300,
        label="Next step",
        widget=forms.TextInput(attrs={"placeholder": "What happens next, and who does it"}),
    )
    next_step_date = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DealContactForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """One of the account's people and the part they play on the deal."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), empty_label="Choose a person", label="Person")
    role = forms.ChoiceField(choices=DealContact.Role.choices, label="Role")

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        bootstrap(self)


class DealRowForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """An inline edit of one deal row: its stage or its close date, with the version the row showed;
    a lost stage that asks why carries the reason (and the competitor)."""

    field = forms.ChoiceField(choices=[("stage", "Stage"), ("close_date", "Close date")])
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), required=False)
    close_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    loss_reason = forms.ChoiceField(choices=[("", "Why was it lost?"), *Opportunity.LossReason.choices], required=False)
    competitor = forms.ModelChoiceField(queryset=Competitor.objects.none(), required=False, empty_label="To whom?")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stage_visible(user=user)  # type: ignore[attr-defined]
        self.fields["competitor"].queryset = competitor_visible(user=user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field = data.get("field")
        if field and not data.get(field):
            self.add_error(field, "Choose a stage." if field == "stage" else "Give the close date.")
        return data
