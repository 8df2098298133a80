from django.urls import path

from tandem.sales import views

app_name = "sales"

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("board/", views.board, name="board"),
    path("board/column/", views.board_column, name="board_column"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/row/", views.opportunity_row, name="opportunity_row"),
    path("opportunities/<int:pk>/row/edit/", views.opportunity_row_edit, name="opportunity_row_edit"),
    path("opportunities/<int:pk>/next-step/", views.opportunity_next_step, name="opportunity_next_step"),
    path("opportunities/<int:pk>/contacts/", views.deal_contact_add, name="deal_contact_add"),
    path("deal-contacts/<int:pk>/remove/", views.deal_contact_remove, name="deal_contact_remove"),
    path("opportunities/<int:pk>/edit/", views.opportunity_update, name="opportunity_update"),
    path("opportunities/<int:pk>/delete/", views.opportunity_delete, name="opportunity_delete"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/options/", views.account_options, name="account_options"),
    path("owners/options/", views.owner_options, name="owner_options"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_update, name="account_update"),
    path("accounts/<int:pk>/delete/", views.account_delete, name="account_delete"),
    path("accounts/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("quotas/", views.quota_list, name="quota_list"),
]
