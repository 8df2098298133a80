from django.urls import path

from tandem.launches import views

app_name = "launches"

urlpatterns = [
    path("", views.launch_list, name="launch_list"),
    path("<int:pk>/", views.launch_detail, name="launch_detail"),
    path("release/<int:release>/new/", views.launch_create, name="launch_create"),
    path("<int:pk>/items/", views.checklist_item_create, name="checklist_item_create"),
    path("items/<int:pk>/", views.checklist_item_update, name="checklist_item_update"),
    path("<int:pk>/metrics/", views.metric_create, name="metric_create"),
    path("metrics/<int:pk>/", views.metric_update, name="metric_update"),
    path("digest/", views.digest, name="digest"),
    path("digest/settings/", views.digest_settings, name="digest_settings"),
]
