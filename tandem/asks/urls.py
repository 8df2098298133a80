from django.urls import path

from tandem.asks import views

app_name = "asks"

urlpatterns = [
    path("", views.ask_list, name="ask_list"),
    path("new/", views.ask_create, name="ask_create"),
    path("inbox/", views.inbox, name="inbox"),
    path("features/", views.feature_search, name="feature_search"),
    path("<int:pk>/", views.ask_detail, name="ask_detail"),
    path("<int:pk>/link/", views.ask_link, name="ask_link"),
    path("<int:pk>/merge/", views.ask_merge, name="ask_merge"),
    path("<int:pk>/feature/", views.ask_feature_create, name="ask_feature_create"),
    path("triage/<int:pk>/undo/", views.triage_undo, name="triage_undo"),
]
