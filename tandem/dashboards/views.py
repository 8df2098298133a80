from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.core.http import PageRequest
from tandem.core.permissions import require
from tandem.dashboards.selectors import dashboard_pipeline, home_context
from tandem.sales.permissions import SalesPermission


def _greeting() -> str:
    hour = timezone.localtime().hour
    if hour < 12:
        return "Good morning"
    return "Good afternoon" if hour < 18 else "Good evening"


@require_GET
def home(request: PageRequest) -> HttpResponse:
    """Each person's next things to do, by role."""
    context = home_context(user=request.user)
    context["greeting"] = _greeting()
    context["section_template"] = f"dashboards/home/_{context['role']}.html"
    return render(request, "dashboards/home.html", context)


@require_GET
def dashboard(request: PageRequest) -> HttpResponse:
    """Pipeline by stage and won per quarter against quota, over the deals this user may see.

    Engineering leads see no deals at all, so the pipeline dashboard is refused to them (403).
    """
    require(request.user, SalesPermission.VIEW_PIPELINE)
    return render(request, "dashboards/dashboard.html", {"data": dashboard_pipeline(user=request.user)})
