from django.urls import path

from tandem.commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.commitment_list, name="commitment_list"),
    path("<int:pk>/", views.commitment_detail, name="commitment_detail"),
    path("<int:pk>/approve/", views.commitment_approve, name="commitment_approve"),
    path("<int:pk>/refuse/", views.commitment_refuse, name="commitment_refuse"),
    path("<int:pk>/withdraw/", views.commitment_withdraw, name="commitment_withdraw"),
    path("deal/<int:opportunity>/ask/", views.commitment_ask, name="commitment_ask"),
]
