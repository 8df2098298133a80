from django.contrib import admin

from tandem.core.admin import ServiceOwnedAdmin
from tandem.sales.models import Account, Contact, Opportunity, Quota, Stage, StageChange


@admin.register(Account)
class AccountAdmin(ServiceOwnedAdmin):
    list_display = ["name", "segment", "status", "industry", "region", "annual_revenue", "owner"]
    list_filter = ["segment", "status", "region"]
    list_select_related = ["owner"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["owner"]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "email", "account"]
    list_select_related = ["account"]
    search_fields = ["last_name", "email"]
    autocomplete_fields = ["account"]
    show_full_result_count = False


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
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
