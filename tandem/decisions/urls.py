from django.urls import path

from tandem.decisions import views

app_name = "decisions"

urlpatterns = [
    path("features/<int:pk>/decide/", views.feature_decide, name="feature_decide"),
    path("asks/<int:pk>/decide/", views.ask_decide, name="ask_decide"),
    path("asks/<int:pk>/escalate/", views.ask_escalate, name="ask_escalate"),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("rights/", views.decision_rights, name="decision_rights"),
    path("rights/<str:decision_type>/", views.decision_right_update, name="decision_right_update"),
]
