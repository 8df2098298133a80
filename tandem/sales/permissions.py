from enum import StrEnum


class SalesPermission(StrEnum):
    VIEW_PIPELINE = "sales.view_pipeline"
    EDIT_PIPELINE = "sales.edit_pipeline"
    VIEW_QUOTAS = "sales.view_quotas"
    SET_QUOTA = "sales.set_quota"
    SET_EXCHANGE_RATES = "sales.set_exchange_rates"
