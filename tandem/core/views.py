import sys
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core import formats, services
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.core.health import database_unavailable
from tandem.core.http import PageRequest
from tandem.core.permissions import CorePermission, require
from tandem.core.workspace_export import workspace_zip_unrestricted
from tandem.core.workspace_import import holdings_described, workspace_holdings, workspace_import
from tandem.people.models import User


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "message": message}
    return render(request, "core/error.html", context, status=status)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Your role does not allow this."
    return _error(request, 403, "You may not do this", message)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Not found", "This page does not exist, or it is not shared with you.")


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database that is away answers 503, not 500.
    unavailable = database_unavailable(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    # Rendered without the request, so no context processor (session, user, navigation) touches the
    # database: the failure may be the database's.
    return HttpResponseServerError(loader.render_to_string("core/500.html"))


def request_too_large(request: HttpRequest, message: str) -> HttpResponse:
    """413 for a body over the limit (core.middleware.RequestBodyLimitMiddleware): nothing read it."""
    return _error(request, 413, "Too large", message)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 for a request no page can read (core.middleware.QueryTextMiddleware)."""
    return _error(request, 400, "Bad request", message)


# Saved views: a list's filters and sort under a name, for its owner alone. A list offers them by
# including `core/partials/_saved_views.html` and naming itself here.
SAVED_VIEW_LISTS = {"sales:opportunity_list": "deals"}


class SavedViewForm(InputGuard, forms.Form):
    list_name = forms.ChoiceField(choices=[(name, name) for name in SAVED_VIEW_LISTS])
    name = forms.CharField(max_length=80, error_messages={"required": "Give the view a name."})
    query = forms.CharField(max_length=2000, required=False)


@require_POST
def saved_view_save(request: PageRequest) -> HttpResponse:
    """Save the list's current filters and sort under a name, then show the list through it."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        list_name = request.POST.get("list_name", "")
        if list_name not in SAVED_VIEW_LISTS:
            raise Http404("No such list.")
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect(list_name)
    try:
        view = services.saved_view_save(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(form.cleaned_data["list_name"])
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(f"{reverse(view.list_name)}?{view.query}" if view.query else reverse(view.list_name))


@require_POST
def saved_view_delete(request: PageRequest, pk: int) -> HttpResponse:
    view = services.saved_view_delete(actor=request.user, pk=pk)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect(view.list_name if view.list_name in SAVED_VIEW_LISTS else "dashboards:home")


@require_GET
def workspace_export(request: PageRequest) -> StreamingHttpResponse:
    """Every record of the workspace as a zip of CSV files (docs/exporting.md), for admins: written
    while it downloads, so it starts at once and holds little in memory whatever the size."""
    require(request.user, CorePermission.EXPORT_WORKSPACE)
    response = StreamingHttpResponse(
        workspace_zip_unrestricted(exported_by=request.user.username), content_type="application/zip"
    )
    stamp = timezone.now().isoformat(timespec="minutes")[:16].replace(":", "")  # a file name: 2026-12-07T1830
    response["Content-Disposition"] = f'attachment; filename="tandem-workspace-{stamp}.zip"'
    return response


class WorkspaceImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label="Workspace export (zip)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".zip"
        bootstrap(self)


@require_http_methods(["GET", "POST"])
def workspace_import_view(request: PageRequest) -> HttpResponse:
    """Load a workspace export into this empty Tandem, synchronously: the upload is bounded by the
    request body limit, and a larger workspace goes through `manage.py import_workspace` on the
    server (docs/exporting.md)."""
    require(request.user, CorePermission.IMPORT_WORKSPACE)
    posted = request.method == "POST"
    form = WorkspaceImportForm(request.POST, request.FILES) if posted else WorkspaceImportForm()
    if posted and form.is_valid():
        try:
            summary = workspace_import(source=form.cleaned_data["file"], actor=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            # The importer's user was replaced by the imported one with their username and password:
            # sign that one in, keeping when this session signed in (its absolute timeout).
            from tandem.core.middleware import LAST_SEEN_AT, SIGNED_IN_AT  # the middleware imports this module

            kept = {key: request.session.get(key) for key in (SIGNED_IN_AT, LAST_SEEN_AT)}
            user = User.objects.get(username=request.user.username)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.update({key: value for key, value in kept.items() if value is not None})
            messages.success(
                request,
                f"Imported {formats.number(summary.records)} records. Everyone else sets a password with "
                "“Forgot your password?” on the sign-in page.",
            )
            return redirect("people:profile")
    context = {
        "form": form,
        "holdings": holdings_described(workspace_holdings(actor=request.user)),
        "limit": formats.number(settings.REQUEST_BODY_MAX_BYTES / 2**20, 1),
    }
    return render(request, "core/workspace_import.html", context)
