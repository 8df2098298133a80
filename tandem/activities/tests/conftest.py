from tandem.sales.tests.conftest import bearer, stages

__all__ = ["bearer", "stages"]
