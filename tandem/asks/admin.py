from django.contrib import admin

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.core.admin import ServiceOwnedAdmin


@admin.register(Ask)
class AskAdmin(ServiceOwnedAdmin):
    list_display = ["__str__", "account", "opportunity", "importance", "source", "status", "feature", "created_at"]
    list_filter = ["importance", "source", "status"]
    list_select_related = ["account", "opportunity", "feature"]
    raw_id_fields = ["account", "opportunity", "feature", "duplicate_of", "requested_by"]
    show_full_result_count = False


@admin.register(Decision)
class DecisionAdmin(ServiceOwnedAdmin):
    list_display = ["outcome", "feature", "ask", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["feature", "ask", "decided_by"]
    raw_id_fields = ["feature", "ask", "release", "decided_by"]


@admin.register(FeatureEvidence)
class FeatureEvidenceAdmin(ServiceOwnedAdmin):
    list_display = ["feature", "asks_count", "accounts_count", "open_pipeline", "weighted_pipeline", "blocker_pipeline"]
    list_select_related = ["feature"]
    raw_id_fields = ["feature"]
