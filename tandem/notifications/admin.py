from django.contrib import admin

from tandem.core.admin import StaleEditsRefused
from tandem.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(StaleEditsRefused):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False
