from django.urls import path

from tandem.product import views

app_name = "product"

urlpatterns = [
    path("features/", views.feature_list, name="feature_list"),
    path("features/new/", views.feature_create, name="feature_create"),
    path("features/<int:pk>/", views.feature_detail, name="feature_detail"),
    path("features/<int:pk>/edit/", views.feature_update, name="feature_update"),
    path("features/<int:pk>/delete/", views.feature_delete, name="feature_delete"),
    path("scoring/", views.scoring_settings, name="scoring_settings"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", views.goal_update, name="goal_update"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("releases/new/", views.release_create, name="release_create"),
    path("releases/<int:pk>/edit/", views.release_update, name="release_update"),
    path("releases/<int:pk>/ship/", views.release_ship, name="release_ship"),
    path("products/", views.product_list, name="product_list"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
]
