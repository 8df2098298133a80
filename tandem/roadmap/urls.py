from django.urls import path

from tandem.roadmap import views

app_name = "roadmap"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("board/", views.board, name="board"),
    path("features/<int:pk>/place/", views.feature_place, name="feature_place"),
    path("features/<int:pk>/market-research/", views.market_research, name="market_research"),
    path("features/<int:pk>/dependents/", views.feature_dependents, name="feature_dependents"),
    path("sales/", views.sales_roadmap, name="sales_roadmap"),
    path("sales/print/", views.sales_roadmap_print, name="sales_roadmap_print"),
    path("sales/roadmap.pdf", views.sales_roadmap_export, name="sales_roadmap_export"),
    path("public/", views.public_roadmap, name="public_roadmap"),
    path("settings/", views.roadmap_settings, name="settings"),
    path("products/<int:pk>/lifecycle/", views.product_lifecycle, name="product_lifecycle"),
]
