"""Writes of what every list shares: saved views (a list's filters and sort under a name)."""

from django.db import transaction
from django.http import QueryDict

from tandem.core.models import SavedView
from tandem.core.selectors import record_for_change, saved_view_changeable, saved_view_visible
from tandem.people.models import User

# Never part of a view: where the reader was in the list, and the totals' own request.
NOT_SAVED = frozenset({"page", "totals", "cursor", "view"})


def saved_view_query(query: str) -> str:
    """The filters and sort of a list's query string, without paging: what a view keeps."""
    params = QueryDict(query, mutable=True)
    for name in NOT_SAVED:
        params.pop(name, None)
    for name in [name for name, values in params.lists() if not any(values)]:
        params.pop(name)
    return params.urlencode()


@transaction.atomic
def saved_view_save(*, actor: User, list_name: str, name: str, query: str) -> SavedView:
    """Save the list's filters and sort under `name`, for the actor alone. Saving again under a
    name they already use replaces that view's filters (as "Save" does in a spreadsheet)."""
    name = " ".join(name.split())
    view = SavedView.objects.select_for_update().filter(
        owner=actor, list_name=list_name, name=name
    ).first() or SavedView(owner=actor, list_name=list_name, name=name)
    view.query = saved_view_query(query)
    view.full_clean()
    view.save()
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, pk: int) -> SavedView:
    view = record_for_change(
        visible=saved_view_visible(user=actor),
        changeable=saved_view_changeable(user=actor),
        pk=pk,
        refusal="Only its owner may delete a saved view.",
    )
    view.delete()
    return view
