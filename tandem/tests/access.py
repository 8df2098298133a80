"""The format of the access tables that each app keeps in `tandem/<app>/tests/access.py`.

Each app exports `PAGES` (keyed by URL name, e.g. "sales:opportunity_detail") and `API` (keyed by
ninja operation_id, e.g. "sales_opportunity_get"). `tandem/tests/test_every_url.py` walks every URL
pattern and every API operation, for every role, and fails on one missing from the tables.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tandem.core.roles import Role
from tandem.tests.world import World

R = Role


def expect(
    rep: int, sales_manager: int, product_manager: int, engineering_lead: int, executive: int, admin: int
) -> dict[Role, int]:
    """Expected status per role, in the order rep, sales manager, PM, engineering lead, executive, admin."""
    return {
        R.REP: rep,
        R.SALES_MANAGER: sales_manager,
        R.PRODUCT_MANAGER: product_manager,
        R.ENGINEERING_LEAD: engineering_lead,
        R.EXECUTIVE: executive,
        R.ADMIN: admin,
    }


@dataclass(frozen=True)
class Access:
    """How to call one route, and what each role must get back.

    `kwargs` builds the URL arguments (pages) or path parameters (API) from the world, pointing
    at a record of the rep's own team. `other_team`, when given, builds them for another team's
    record: every sales role must get 404 there, as for a record that does not exist.
    `data` is the form or JSON body for writes (query parameters for GET); a write that the role
    may do should succeed, so give valid data. For pages, 302 means a redirect that is not to the
    login page (a successful form post).
    """

    expected: dict[Role, int]
    method: str = "GET"
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    data: Callable[[World], dict[str, Any]] | None = None
    # Query parameters for API writes (e.g. DELETE …?version=), built for the record `kwargs` names.
    query: Callable[[World], dict[str, Any]] | None = None
    other_team: Callable[[World], dict[str, Any]] | None = None
    other_team_expected: dict[Role, int] | None = None
    public: bool = False  # reachable without signing in (login, password reset)
    # A team-mate's record that the rep reaches through one of their deals (see `World`): seeing it
    # that way is not owning it, so `through_deal_expected` usually reads 200 and writes 403 for reps.
    through_deal: Callable[[World], dict[str, Any]] | None = None
    through_deal_expected: dict[Role, int] | None = None
