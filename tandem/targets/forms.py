"""HTML form input of targets, quotas, the attainment period and territories."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from tandem.core import formats
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.people.models import Territory, User
from tandem.sales.models import Account
from tandem.targets.models import SalesTarget
from tandem.targets.selectors import Period, period_of_quarter, period_of_year
from tandem.targets.services import Cells

MAX_AMOUNT = Decimal("99999999999999.99")
YEARS = (2000, 2100)


class TargetForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """The year's target and how to break it down."""

    amount = forms.DecimalField(
        label="Annual target",
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=16,
        decimal_places=2,
        error_messages={"min_value": "A sales target cannot be negative."},
    )
    method = forms.ChoiceField(label="Break it down", choices=SalesTarget.Method.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].help_text = (
            "Last year's share: each team and rep by what they won last fiscal year. Territory potential: "
            "teams by their territory's potential. By hand: keeps today's proportions; then edit the grid."
        )
        bootstrap(self)


def grid_cells(data: Any, ids: list[int], prefix: str) -> tuple[Cells, list[str]]:
    """The amounts of a quota grid posted as `<prefix>_<id>_<quarter>`, and what could not be read."""
    cells: Cells = {}
    problems: list[str] = []
    for pk in ids:
        for quarter in (1, 2, 3, 4):
            text = (data.get(f"{prefix}_{pk}_{quarter}") or "").strip().replace(",", "")
            if text == "":
                continue
            try:
                amount = Decimal(text)
            except InvalidOperation:
                problems.append(f"“{text[:20]}” is not an amount.")
                continue
            if (
                not amount.is_finite()
                or amount < 0
                or amount > MAX_AMOUNT
                or amount != amount.quantize(Decimal("0.01"))
            ):
                problems.append(f"{text[:20]} is not an amount in cents from 0 up.")
                continue
            cells[(pk, quarter)] = amount
    return cells, problems


def posted_version(data: Any) -> int | None:
    try:
        version = int(data.get("version", ""))
    except (TypeError, ValueError):
        return None
    return version if 0 <= version < 2**31 else None


def year_chosen(data: Any, start_month: int) -> int:
    """The fiscal year asked for (`?year=`), else the current one."""
    try:
        year = int(data.get("year", ""))
    except (TypeError, ValueError):
        year = 0
    if YEARS[0] <= year <= YEARS[1]:
        return year
    return fiscal_quarter_of(timezone.localdate(), start_month).year


class PeriodForm(InputGuard, forms.Form):
    """The attainment page's period: a fiscal quarter, a fiscal year or any dates (this quarter when not given)."""

    KINDS = [("quarter", "Fiscal quarter"), ("year", "Fiscal year"), ("custom", "Dates")]

    kind = forms.ChoiceField(label="Period", choices=KINDS, required=False)
    year = forms.IntegerField(label="Fiscal year", min_value=YEARS[0], max_value=YEARS[1], required=False)
    quarter = forms.TypedChoiceField(
        label="Quarter", choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int, required=False
    )
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}), required=False)

    def __init__(self, data: Any, *, start_month: int) -> None:
        self.start_month = start_month
        self.current = fiscal_quarter_of(timezone.localdate(), start_month)
        bound = {"kind": "quarter", "year": str(self.current.year), "quarter": str(self.current.quarter)}
        bound.update({k: v for k, v in (data or {}).items() if v})
        super().__init__(bound)
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "custom":
            if not data.get("start"):
                self.add_error("start", "Give the first day of the period.")
            if not data.get("end"):
                self.add_error("end", "Give the last day of the period.")
            if data.get("start") and data.get("end"):
                if data["start"] > data["end"]:
                    self.add_error("end", "The end of the period comes after its start.")
                elif (data["end"] - data["start"]).days > 366 * 5:
                    self.add_error("end", "Choose a period of five years at most.")
        return data

    def period(self) -> Period:
        """The period chosen, or this fiscal quarter when the form is not valid."""
        if not self.is_valid():
            return period_of_quarter(self.current, self.start_month)
        data = self.cleaned_data
        year = data.get("year") or self.current.year
        if data.get("kind") == "year":
            return period_of_year(year, self.start_month)
        if data.get("kind") == "custom":
            start, end = data["start"], data["end"]
            return Period(start, end, f"{formats.date_short(start)} to {formats.date_short(end)}")
        return period_of_quarter(FiscalQuarter(year, data.get("quarter") or self.current.quarter), self.start_month)


class TerritoryForm(ServiceErrorsMixin, InputGuard, forms.ModelForm[Territory]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)
    rule_segment = forms.ChoiceField(
        label="Segment is", choices=[("", "Any segment"), *Account.Segment.choices], required=False
    )

    class Meta:
        model = Territory
        fields = ["name", "region", "potential", "rule_region", "rule_segment", "rule_industry"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["rule_region"].help_text = "Accounts whose region, segment and industry match every part given."
        bootstrap(self)

    def _post_clean(self) -> None:
        pass  # the service runs full_clean and reports under the fields


class TerritoryAssignForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """Accounts into the territory: by its rule, or those picked; optionally to a new owner with their open deals."""

    accounts = forms.CharField(
        label="Accounts (ids, comma separated)",
        required=False,
        help_text="Leave empty to assign every account matching the territory's rule.",
    )
    new_owner = forms.ModelChoiceField(label="New owner", queryset=User.objects.none(), required=False)
    move_open_deals = forms.BooleanField(label="Move their open deals to the new owner too", required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = owners  # type: ignore[attr-defined]
        bootstrap(self)

    def clean_accounts(self) -> list[int] | None:
        text = self.cleaned_data.get("accounts") or ""
        if not text.strip():
            return None
        ids = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or len(part) > 12:
                raise forms.ValidationError(f"“{part[:20]}” is not an account id.")
            ids.append(int(part))
        return ids
