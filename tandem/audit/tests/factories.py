import factory
from django.utils import timezone

from tandem.audit.models import AuditEntry


class AuditEntryFactory(factory.django.DjangoModelFactory[AuditEntry]):
    """An entry as a service writes it: a deal's stage moved on a page. Tests that check what the
    services write call them; this is for pages, lists and the API."""

    class Meta:
        model = AuditEntry

    at = factory.LazyFunction(timezone.now)
    actor = None
    actor_name = factory.LazyAttribute(lambda entry: str(entry.actor) if entry.actor else "")
    action = AuditEntry.Action.CHANGED
    record_type = "sales.opportunity"
    record_id = factory.Sequence(lambda n: n + 1)
    record_label = factory.Sequence(lambda n: f"Deal {n}")
    changes = factory.LazyFunction(lambda: {"stage": [{"id": 1, "label": "Discovery"}, {"id": 2, "label": "Proposal"}]})
    channel = AuditEntry.Channel.PAGE
    request_id = ""
