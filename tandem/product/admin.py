from django.contrib import admin
from django.http import HttpRequest

from tandem.product.models import Feature, Goal, Product, Release


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "lifecycle_stage", "manager"]
    list_select_related = ["manager"]
    search_fields = ["name"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["name", "weight", "is_active"]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["name", "product", "target_date", "status", "shipped_at"]
    list_filter = ["status", "product"]
    list_select_related = ["product"]


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    list_display = ["title", "product", "status", "release", "confidence", "visibility", "owner"]
    list_filter = ["status", "visibility", "confidence", "product"]
    list_select_related = ["product", "release", "owner"]
    search_fields = ["title"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["goals"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New features go through feature_create, which gives them their evidence row; lists
        # sorted by revenue at stake only show features that have one.
        return False
