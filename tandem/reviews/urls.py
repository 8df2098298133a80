from django.urls import path

from tandem.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("new/", views.review_create, name="review_create"),
    path("<int:pk>/", views.review_detail, name="review_detail"),
    path("<int:pk>/meetings/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/item-forms/", views.meeting_item_forms, name="meeting_item_forms"),
    path("meetings/<int:pk>/decide/", views.meeting_decide, name="meeting_decide"),
    path("meetings/<int:pk>/actions/", views.action_item_create, name="action_item_create"),
    path("meetings/<int:pk>/minutes/", views.minutes_send, name="minutes_send"),
    path("actions/<int:pk>/done/", views.action_item_done, name="action_item_done"),
]
