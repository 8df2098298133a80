from django.urls import path

from tandem.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.planning, name="planning"),
    path("capacity/", views.capacity_set, name="capacity_set"),
    path("plans/", views.plan_save, name="plan_save"),
    path("features/<int:pk>/", views.feature_build, name="feature_build"),
]
