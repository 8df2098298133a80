from django.urls import path

from tandem.forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.forecast, name="forecast"),
    path("call/", views.call_submit, name="call_submit"),
    path("reps/<int:rep_id>/override/", views.override_set, name="override_set"),
    path("reps/<int:rep_id>/override/withdraw/", views.override_withdraw, name="override_withdraw"),
]
