from django.urls import path

from tandem.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.target_detail, name="target_detail"),
    path("<int:year>/teams/", views.team_quotas, name="team_quotas"),
    path("<int:year>/teams/<int:team>/reps/", views.rep_quotas, name="rep_quotas"),
    path("attainment/", views.attainment, name="attainment"),
    path("territories/", views.territory_list, name="territory_list"),
    path("territories/new/", views.territory_create, name="territory_create"),
    path("territories/<int:pk>/", views.territory_detail, name="territory_detail"),
    path("territories/<int:pk>/edit/", views.territory_update, name="territory_update"),
    path("territories/<int:pk>/assign/", views.territory_assign, name="territory_assign"),
]
