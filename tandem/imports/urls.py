from django.urls import path

from tandem.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("upload/", views.import_upload, name="import_upload"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/mapping/", views.import_configure, name="import_configure"),
    path("<int:pk>/good-rows/", views.import_good_rows, name="import_good_rows"),
    path("<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("<int:pk>/refused.csv", views.import_rejected_csv, name="import_rejected_csv"),
]
