"""Who may open the scorecards (see `tandem/tests/access.py`): sales managers, PMs, executives, admins."""

from tandem.tests.access import Access, expect

VIEW = expect(403, 200, 200, 403, 200, 200)

PAGES: dict[str, Access] = {"scorecards:scorecards": Access(VIEW)}

API: dict[str, Access] = {"scorecards_get": Access(VIEW, data=lambda w: {"fiscal_year": 2027, "fiscal_quarter": 1})}
