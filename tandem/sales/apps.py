from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "tandem.sales"
    label = "sales"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.sales import selectors

        visibility.register("sales.Account", selectors.account_visible)
        visibility.register("sales.Contact", selectors.contact_visible)
        visibility.register("sales.Stage", selectors.stage_visible)
        visibility.register("sales.Opportunity", selectors.opportunity_visible)
        visibility.register("sales.StageChange", selectors.stage_change_visible)
        visibility.register("sales.Quota", selectors.quota_visible)
