"""Who may open the shell's pages: everyone has a home; dashboards chart deals, which engineering leads do not
see; the health probes answer anyone, signed in or not."""

from tandem.tests.access import Access, expect

PAGES: dict[str, Access] = {
    "core:home": Access(expect(200, 200, 200, 200, 200, 200)),
    "core:dashboard": Access(expect(200, 200, 200, 403, 200, 200)),
    # Liveness and readiness probes: public by design, for the load balancer and monitoring.
    "core:health": Access(expect(200, 200, 200, 200, 200, 200), public=True),
    "core:ready": Access(expect(200, 200, 200, 200, 200, 200), public=True),
}

API: dict[str, Access] = {}
