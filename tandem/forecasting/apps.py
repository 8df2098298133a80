from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "tandem.forecasting"
    label = "forecasting"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.forecasting import selectors as s

        visibility.register("forecasting.ForecastCall", s.forecast_call_visible, changeable=s.forecast_call_changeable)
        visibility.register(
            "forecasting.ForecastOverride", s.forecast_override_visible, changeable=s.forecast_override_changeable
        )
        visibility.register("forecasting.ForecastWeek", s.forecast_week_visible, changeable=s.forecast_week_changeable)
        visibility.register(
            "forecasting.ForecastSnapshot", s.forecast_snapshot_visible, changeable=s.forecast_snapshot_changeable
        )
