"""The one NinjaAPI under /api/: each app contributes its Router from its own api.py."""

from tandem.activities.api import router as activities_router
from tandem.asks.api import router as asks_router
from tandem.audit.api import router as audit_router
from tandem.calls.api import router as calls_router
from tandem.coaching.api import router as coaching_router
from tandem.commitments.api import router as commitments_router
from tandem.competition.api import router as competition_router
from tandem.core.api import (
    ActiveSessionAuth,
    JsonRenderer,
    PersonalTokenAuth,
    TandemAPI,
    install_error_handlers,
    refuse_nul_text,
)
from tandem.decisions.api import router as decisions_router
from tandem.forecasting.api import router as forecasting_router
from tandem.launches.api import router as launches_router
from tandem.leads.api import router as leads_router
from tandem.notifications.api import router as notifications_router
from tandem.people.api import router as people_router
from tandem.planning.api import router as planning_router
from tandem.product.api import router as product_router
from tandem.reviews.api import router as reviews_router
from tandem.roadmap.api import router as roadmap_router
from tandem.sales.api import router as sales_router
from tandem.scorecards.api import router as scorecards_router
from tandem.targets.api import router as targets_router
from tandem.webhooks.api import router as webhooks_router

api = TandemAPI(
    title="Tandem API",
    version="1",
    description="Accounts, opportunities and features, with the same visibility rules as the pages. "
    "Authenticate with your browser session or a personal token (`Authorization: Bearer tdm_…`).",
    auth=[PersonalTokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    renderer=JsonRenderer(),
)
install_error_handlers(api)
api.add_decorator(refuse_nul_text)  # text holding NUL: a 422 on its field, on every operation
api.add_router("/", people_router)
api.add_router("/", sales_router)
api.add_router("/", leads_router)
api.add_router("/", forecasting_router)
api.add_router("/", targets_router)
api.add_router("/", commitments_router)
api.add_router("/", launches_router)
api.add_router("/", coaching_router)
api.add_router("/", activities_router)
api.add_router("/", product_router)
api.add_router("/", roadmap_router)
api.add_router("/", asks_router)
api.add_router("/", decisions_router)
api.add_router("/", notifications_router)
api.add_router("/", audit_router)
api.add_router("/", webhooks_router)
api.add_router("/", planning_router)
api.add_router("/", reviews_router)
api.add_router("/", scorecards_router)
api.add_router("/", competition_router)
api.add_router("/", calls_router)
