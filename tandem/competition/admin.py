from django.contrib import admin

from tandem.competition.models import Competitor


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    search_fields = ["name"]
