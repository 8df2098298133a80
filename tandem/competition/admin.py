from django.contrib import admin
from django.db import models

from tandem.audit.audited_admin import AuditedAdmin
from tandem.competition.models import Competitor
from tandem.core.admin import StaleEditsRefused


@admin.register(Competitor)
class CompetitorAdmin(AuditedAdmin, StaleEditsRefused):
    search_fields = ["name"]
    # Bumped by every save in Tandem's pages and API; never typed.
    readonly_fields = ["version"]
    # A website typed without its scheme is read as https, as Django 6 will by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
