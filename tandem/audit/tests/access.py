"""Who may read the audit trail: admins and executives; every other role is refused (403), as for
every area a role does not open (the triage inbox, dashboards). Nobody writes it: there is no
write route. A deal's own history is on the deal's page, tabled by sales."""

from tandem.audit.tests.factories import AuditEntryFactory
from tandem.tests.access import Access, expect
from tandem.tests.world import World

READERS = expect(403, 403, 403, 403, 200, 200)


def _trail(w: World) -> dict[str, object]:
    AuditEntryFactory(record_id=w.opportunity.pk, record_label=w.opportunity.name)
    return {}


PAGES: dict[str, Access] = {
    "audit:entry_list": Access(READERS, data=_trail),
    "audit:entry_export": Access(READERS, data=_trail),
    "audit:actor_options": Access(READERS, data=lambda w: {"q": w.rep.first_name}),
}

API: dict[str, Access] = {
    "audit_entry_list": Access(READERS, data=_trail),
}
