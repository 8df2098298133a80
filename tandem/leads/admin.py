from django.contrib import admin

from tandem.core.admin import ServiceOwnedAdmin
from tandem.leads.models import Lead


@admin.register(Lead)
class LeadAdmin(ServiceOwnedAdmin):
    """Leads are shown, not edited, here: qualifying and converting carry rules (the dates the funnel
    counts, one step into account, contact and deal) that only the lead services keep."""

    list_display = ["__str__", "source", "campaign", "status", "owner", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["last_name", "first_name", "company", "email"]
    list_select_related = ["owner"]
