from django.urls import path

from tandem.scorecards import views

app_name = "scorecards"

urlpatterns = [path("", views.scorecard_page, name="scorecards")]
