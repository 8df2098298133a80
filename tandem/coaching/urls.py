from django.urls import path

from tandem.coaching import views

app_name = "coaching"

urlpatterns = [
    path("", views.coaching_overview, name="overview"),
    path("reps/<int:rep_id>/", views.rep_coaching, name="rep_coaching"),
    path("reps/<int:rep_id>/notes/", views.note_add, name="note_add"),
    path("notes/<int:pk>/", views.note_change, name="note_change"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("reps/<int:rep_id>/reviews/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/share/", views.review_share, name="review_share"),
    path("reviews/<int:pk>/acknowledge/", views.review_acknowledge, name="review_acknowledge"),
]
