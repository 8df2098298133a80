from django.urls import path

from tandem.asks import views

app_name = "asks"

urlpatterns = [
    path("", views.ask_list, name="ask_list"),
    path("<int:pk>/", views.ask_detail, name="ask_detail"),
]
