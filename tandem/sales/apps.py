from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "tandem.sales"
    label = "sales"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.sales import selectors

        visibility.register("sales.Account", selectors.account_visible, changeable=selectors.account_changeable)
        visibility.register("sales.Contact", selectors.contact_visible, changeable=selectors.contact_changeable)
        visibility.register("sales.Stage", selectors.stage_visible, changeable=selectors.stage_changeable)
        visibility.register(
            "sales.Opportunity", selectors.opportunity_visible, changeable=selectors.opportunity_changeable
        )
        visibility.register(
            "sales.StageChange", selectors.stage_change_visible, changeable=selectors.stage_change_changeable
        )
        visibility.register(
            "sales.DealContact", selectors.deal_contact_visible, changeable=selectors.deal_contact_changeable
        )
        visibility.register("sales.Quota", selectors.quota_visible, changeable=selectors.quota_changeable)
        visibility.register(
            "sales.RepMonthFigures",
            selectors.rep_month_figures_visible,
            changeable=selectors.rep_month_figures_changeable,
        )
