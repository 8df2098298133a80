from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from tandem.audit.audited_admin import AuditedAdmin
from tandem.core.admin import ServiceOwnedAdmin, StaleEditsRefused
from tandem.core.models import ExchangeRate
from tandem.sales import services
from tandem.sales.models import Account, Contact, Opportunity, Quota, Stage, StageChange


class RuleCheckedForm(forms.ModelForm):
    """An admin form that runs a service's rule once its fields are valid, showing its refusal on the form."""

    def rule(self) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if not self.errors:
            try:
                self.rule()
            except ValidationError as error:
                self.add_error(None, error)
        return data


class ExchangeRateForm(RuleCheckedForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "rate_to_home"]

    def rule(self) -> None:
        services.exchange_rate_check(
            rate=self.instance if self.instance.pk else None,
            currency=self.cleaned_data["currency"],
            valid_from=self.cleaned_data["valid_from"],
        )


@admin.register(ExchangeRate)
class ExchangeRateAdmin(StaleEditsRefused):
    """Rates change home amounts: saving or deleting one goes through the sales services, which
    recompute the deals it converts (in the background) and their asks' values and evidence."""

    form = ExchangeRateForm
    list_display = ["currency", "valid_from", "rate_to_home"]
    list_filter = ["currency"]

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        saved = services.exchange_rate_set(
            actor=request.user,  # type: ignore[arg-type]
            rate=obj if change else None,
            currency=obj.currency,
            valid_from=obj.valid_from,
            rate_to_home=obj.rate_to_home,
        )
        obj.pk = saved.pk
        messages.info(request, "The home amounts of the deals this rate converts are being recomputed.")

    def has_delete_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        """Not the rate some deal needs: the first of its currency while deals close before the next."""
        return super().has_delete_permission(request, obj) and (obj is None or services.exchange_rate_deletable(obj))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # One at a time, from its page, where a rate some deal needs offers no Delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: ExchangeRate) -> None:
        services.exchange_rate_delete(actor=request.user, rate=obj)  # type: ignore[arg-type]


@admin.register(Account)
class AccountAdmin(ServiceOwnedAdmin):
    list_display = ["name", "segment", "status", "industry", "region", "annual_revenue", "owner"]
    list_filter = ["segment", "status", "region"]
    list_select_related = ["owner"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["owner"]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(StaleEditsRefused):
    list_display = ["first_name", "last_name", "email", "account"]
    list_select_related = ["account"]
    search_fields = ["last_name", "email"]
    autocomplete_fields = ["account"]
    show_full_result_count = False


class StageForm(RuleCheckedForm):
    class Meta:
        model = Stage
        fields = ["name", "order", "default_probability", "forecast_category", "is_won", "is_lost"]

    def rule(self) -> None:
        services.stage_check(
            stage=self.instance, is_won=self.cleaned_data["is_won"], is_lost=self.cleaned_data["is_lost"]
        )


@admin.register(Stage)
class StageAdmin(AuditedAdmin, StaleEditsRefused):
    form = StageForm
    list_display = ["order", "name", "default_probability", "forecast_category", "is_won", "is_lost"]
    ordering = ["order"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = readonly_fields = ("from_stage", "to_stage", "amount_home", "changed_at", "changed_by")


@admin.register(Opportunity)
class OpportunityAdmin(ServiceOwnedAdmin):
    list_display = ["name", "account", "owner", "stage", "amount", "currency", "close_date"]
    list_filter = ["stage", "type", "forecast_category"]
    list_select_related = ["account", "owner", "stage"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["account", "owner", "competitor"]
    inlines = [StageChangeInline]
    show_full_result_count = False


@admin.register(Quota)
class QuotaAdmin(ServiceOwnedAdmin):
    list_display = ["user", "team", "fiscal_year", "fiscal_quarter", "amount"]
    list_filter = ["fiscal_year", "fiscal_quarter"]
    list_select_related = ["user", "team"]
