"""Who may open the home pages and dashboards: everyone has a home; dashboards chart deals, which
engineering leads do not see."""

from tandem.tests.access import Access, expect

PAGES: dict[str, Access] = {
    "dashboards:home": Access(expect(200, 200, 200, 200, 200, 200)),
    "dashboards:dashboard": Access(expect(200, 200, 200, 403, 200, 200)),
}

API: dict[str, Access] = {}
