from django.urls import include, path

from tandem.people import views

me_patterns = [
    path("", views.profile, name="profile"),
    path("tokens/", views.api_token_create_view, name="api_token_create"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]

urlpatterns = [
    path("auth/", include("django.contrib.auth.urls")),
    path("me/", include((me_patterns, "people"))),
]
