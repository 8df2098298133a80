from django.urls import path

from tandem.core import health, views

app_name = "core"

urlpatterns = [
    path("views/save/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("workspace/export/", views.workspace_export, name="workspace_export"),
    path("workspace/import/", views.workspace_import_view, name="workspace_import"),
    # For load balancers, systemd and monitors: public, and they say nothing but pass/warn/fail.
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
]
