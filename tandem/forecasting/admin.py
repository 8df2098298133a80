from django.contrib import admin

from tandem.core.admin import ServiceOwnedAdmin
from tandem.forecasting.models import ForecastCall, ForecastOverride


@admin.register(ForecastCall)
class ForecastCallAdmin(ServiceOwnedAdmin):
    list_display = ("rep", "fiscal_year", "fiscal_quarter", "commit", "best_case", "updated_at")
    list_filter = ("fiscal_year", "fiscal_quarter")


@admin.register(ForecastOverride)
class ForecastOverrideAdmin(ServiceOwnedAdmin):
    list_display = ("rep", "fiscal_year", "fiscal_quarter", "commit", "best_case", "set_by", "updated_at")
    list_filter = ("fiscal_year", "fiscal_quarter")
