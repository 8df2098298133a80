from django.contrib import admin

from tandem.audit.audited_admin import AuditedAdmin
from tandem.core.admin import ServiceOwnedAdmin, StaleEditsRefused
from tandem.product.models import Feature, Goal, Product, Release


@admin.register(Product)
class ProductAdmin(AuditedAdmin, StaleEditsRefused):
    list_display = ["name", "lifecycle_stage", "manager", "team"]
    list_select_related = ["manager", "team"]
    search_fields = ["name"]


@admin.register(Goal)
class GoalAdmin(ServiceOwnedAdmin):
    list_display = ["name", "weight", "is_active"]


@admin.register(Release)
class ReleaseAdmin(ServiceOwnedAdmin):
    list_display = ["name", "product", "target_date", "status", "shipped_at"]
    list_filter = ["status", "product"]
    list_select_related = ["product"]


@admin.register(Feature)
class FeatureAdmin(ServiceOwnedAdmin):
    list_display = ["title", "product", "status", "release", "confidence", "visibility", "owner"]
    list_filter = ["status", "visibility", "confidence", "product"]
    list_select_related = ["product", "release", "owner"]
    search_fields = ["title"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["goals"]
    show_full_result_count = False
