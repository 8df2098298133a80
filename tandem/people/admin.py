from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tandem.core.admin import StaleEditsRefused
from tandem.people.models import ApiToken, Team, Territory, User


@admin.register(User)
class UserAdmin(StaleEditsRefused, DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    list_select_related = ["team"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Tandem", {"fields": ("role", "team", "title", "time_zone")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        ("Tandem", {"fields": ("email", "first_name", "last_name", "role", "team")}),
    )


@admin.register(Team)
class TeamAdmin(StaleEditsRefused):
    list_display = ["name", "kind", "manager", "territory"]
    list_filter = ["kind"]
    list_select_related = ["manager", "territory"]
    autocomplete_fields = ["manager"]


@admin.register(Territory)
class TerritoryAdmin(StaleEditsRefused):
    list_display = ["name", "region"]
    search_fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(StaleEditsRefused):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["digest", "prefix"]
