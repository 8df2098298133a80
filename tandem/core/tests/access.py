"""Who may open the shell's pages: the health probes answer anyone, signed in or not."""

from tandem.tests.access import Access, expect

PAGES: dict[str, Access] = {
    # Liveness and readiness probes: public by design, for the load balancer and monitoring.
    "core:health": Access(expect(200, 200, 200, 200, 200, 200), public=True),
    "core:ready": Access(expect(200, 200, 200, 200, 200, 200), public=True),
}

API: dict[str, Access] = {}
