from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Each role's home page and the dashboards: above every domain, reading them all (no models)."""

    name = "tandem.dashboards"
    label = "dashboards"
