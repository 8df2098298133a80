from django.contrib import admin

from tandem.core.models import ExchangeRate, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "home_currency", "fiscal_year_start_month"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "valid_from", "rate_to_home"]
    list_filter = ["currency"]
