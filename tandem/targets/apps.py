from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "tandem.targets"
    label = "targets"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.targets import selectors

        visibility.register(
            "targets.SalesTarget", selectors.sales_target_visible, changeable=selectors.sales_target_changeable
        )
        visibility.register(
            "targets.ClosedMonthFigures",
            selectors.closed_month_figures_visible,
            changeable=selectors.closed_month_figures_changeable,
        )
