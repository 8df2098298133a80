from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.audit.audited_admin import AuditedAdmin
from tandem.core.admin import StaleEditsRefused
from tandem.people.models import ApiToken, Team, Territory, User
from tandem.people.services import sign_in_unlock, two_factor_disable


@login_not_required
def _admin_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's own login form would skip the lockout page and two-factor sign-in: send people
    to Tandem's sign-in instead, which comes back to the admin."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _admin_sign_in  # type: ignore[method-assign]

# django-otp's admin shows each app's secret key; an admin turns two-factor off from the user list instead.
admin.site.unregister(TOTPDevice)
# Tandem's roles decide what people may do; Django's groups would grant nothing and only mislead.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdmin, StaleEditsRefused, DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "team", "is_active", "two_factor"]
    list_filter = ["role", "team", "is_active"]
    list_select_related = ["team"]
    actions = ["unlock_sign_in", "turn_off_two_factor"]
    # The role decides who enters this site (`admin_site_access`): no staff or superuser boxes, and
    # no Django groups or permissions, which Tandem's roles do not read.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Tandem", {"fields": ("role", "team", "title", "time_zone", "is_active")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        ("Tandem", {"fields": ("email", "first_name", "last_name", "role", "team")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(devices))

    @admin.display(boolean=True, description="Two-factor", ordering="has_two_factor")
    def two_factor(self, user: Any) -> bool:
        return bool(user.has_two_factor)

    @admin.action(description="Unlock sign-in (forget failed attempts)")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            sign_in_unlock(actor=request.user, user=user)  # type: ignore[arg-type]
        self.message_user(request, f"Sign-in unlocked for {queryset.count()} people.", messages.SUCCESS)

    @admin.action(description="Turn off two-factor sign-in (lost phone and recovery codes)")
    def turn_off_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor_disable(actor=request.user, user=user)  # type: ignore[arg-type]
        told = f"Two-factor sign-in is off for {queryset.count()} people; each was told by email."
        self.message_user(request, told, messages.SUCCESS)


@admin.register(Team)
class TeamAdmin(AuditedAdmin, StaleEditsRefused):
    list_display = ["name", "kind", "manager", "territory"]
    list_filter = ["kind"]
    list_select_related = ["manager", "territory"]
    autocomplete_fields = ["manager"]


@admin.register(Territory)
class TerritoryAdmin(AuditedAdmin, StaleEditsRefused):
    list_display = ["name", "region", "potential"]
    search_fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin, StaleEditsRefused):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["digest", "prefix"]
