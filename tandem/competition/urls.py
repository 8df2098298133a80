from django.urls import path

from tandem.competition import views

app_name = "competition"

urlpatterns = [
    path("", views.competitor_list, name="competitor_list"),
    path("new/", views.competitor_create, name="competitor_create"),
    path("<int:pk>/", views.competitor_detail, name="competitor_detail"),
    path("<int:pk>/edit/", views.competitor_update, name="competitor_update"),
    path("<int:pk>/products/", views.product_create, name="product_create"),
    path("products/<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("<int:pk>/battlecard/", views.battlecard_update, name="battlecard_update"),
    path("intel/", views.intel_list, name="intel_list"),
    path("deals/<int:pk>/intel/", views.intel_log, name="intel_log"),
    path("accounts/<int:pk>/intel/", views.intel_log_account, name="intel_log_account"),
    path("deals/<int:pk>/loss-features/", views.loss_feature_cite, name="loss_feature_cite"),
    path("loss-features/<int:pk>/withdraw/", views.loss_feature_withdraw, name="loss_feature_withdraw"),
    path("features/options/", views.feature_options, name="feature_options"),
]
