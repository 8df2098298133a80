from django.urls import path

from tandem.calls import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("<int:pk>/", views.call_detail, name="call_detail"),
    path("deals/<int:pk>/open/", views.call_open, name="call_open"),
    path("<int:pk>/cancel/", views.call_cancel, name="call_cancel"),
    path("<int:pk>/join/", views.call_join, name="call_join"),
    path("<int:pk>/withdraw/", views.call_withdraw, name="call_withdraw"),
    path("<int:pk>/debrief/", views.call_debrief, name="call_debrief"),
]
