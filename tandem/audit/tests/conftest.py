from tandem.decisions.tests.conftest import loop  # noqa: F401  (a feature, its release, a deal that asked)
from tandem.sales.tests.conftest import bearer, stages  # noqa: F401
