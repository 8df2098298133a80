from django.urls import path

from tandem.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("export.csv", views.entry_export, name="entry_export"),
    path("people/", views.actor_options, name="actor_options"),
]
