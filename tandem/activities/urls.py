from django.urls import path

from tandem.activities import views

app_name = "activities"

urlpatterns = [
    path("deals/<int:pk>/log/", views.activity_create, name="activity_create"),
    path("deals/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("<int:pk>/edit/", views.activity_update, name="activity_update"),
    path("<int:pk>/delete/", views.activity_delete, name="activity_delete"),
]
