from django.contrib import admin

from tandem.competition.models import Competitor
from tandem.core.admin import StaleEditsRefused


@admin.register(Competitor)
class CompetitorAdmin(StaleEditsRefused):
    search_fields = ["name"]
