from django.urls import path

from tandem.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("new/", views.lead_create, name="lead_create"),
    path("funnel/", views.lead_funnel, name="lead_funnel"),
    path("<int:pk>/", views.lead_detail, name="lead_detail"),
    path("<int:pk>/edit/", views.lead_update, name="lead_update"),
    path("<int:pk>/convert/", views.lead_convert, name="lead_convert"),
]
