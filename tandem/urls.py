from django.contrib import admin
from django.urls import include, path

from tandem.api import api

urlpatterns = [
    path("", include("tandem.core.urls")),
    path("", include("tandem.dashboards.urls")),
    path("", include("tandem.people.urls")),
    path("pipeline/", include("tandem.sales.urls")),
    path("leads/", include("tandem.leads.urls")),
    path("forecast/", include("tandem.forecasting.urls")),
    path("targets/", include("tandem.targets.urls")),
    path("commitments/", include("tandem.commitments.urls")),
    path("launches/", include("tandem.launches.urls")),
    path("coaching/", include("tandem.coaching.urls")),
    path("activities/", include("tandem.activities.urls")),
    path("competition/", include("tandem.competition.urls")),
    path("calls/", include("tandem.calls.urls")),
    path("product/", include("tandem.product.urls")),
    path("roadmap/", include("tandem.roadmap.urls")),
    path("asks/", include("tandem.asks.urls")),
    path("decisions/", include("tandem.decisions.urls")),
    path("notifications/", include("tandem.notifications.urls")),
    path("audit/", include("tandem.audit.urls")),
    path("imports/", include("tandem.imports.urls")),
    path("webhooks/", include("tandem.webhooks.urls")),
    path("planning/", include("tandem.planning.urls")),
    path("reviews/", include("tandem.reviews.urls")),
    path("scorecards/", include("tandem.scorecards.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler403 = "tandem.core.views.permission_denied"
handler404 = "tandem.core.views.page_not_found"
handler500 = "tandem.core.views.server_error"
