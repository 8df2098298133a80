from tandem.sales.tests.conftest import Stages, bearer, stages

__all__ = ["Stages", "bearer", "stages"]
