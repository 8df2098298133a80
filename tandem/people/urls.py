from django.urls import include, path

from tandem.people import views

urlpatterns = [
    path("auth/", include("django.contrib.auth.urls")),
    path("me/", include(([path("", views.profile, name="profile")], "people"))),
]
