from enum import StrEnum


class ForecastingPermission(StrEnum):
    VIEW_FORECAST = "forecasting.view_forecast"
    CALL_FORECAST = "forecasting.call_forecast"
    OVERRIDE_FORECAST = "forecasting.override_forecast"
