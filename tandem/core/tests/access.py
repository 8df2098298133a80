"""Who may open the shell's pages: everyone has a home; dashboards chart deals, which engineering leads do not see."""

from tandem.tests.access import Access, expect

PAGES: dict[str, Access] = {
    "core:home": Access(expect(200, 200, 200, 200, 200, 200)),
    "core:dashboard": Access(expect(200, 200, 200, 403, 200, 200)),
}

API: dict[str, Access] = {}
