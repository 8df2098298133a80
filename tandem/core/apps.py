from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"

    def ready(self) -> None:
        from tandem.core import selectors, visibility

        visibility.register("core.Workspace", selectors.workspace_visible, changeable=selectors.workspace_changeable)
        visibility.register(
            "core.ExchangeRate", selectors.exchange_rate_visible, changeable=selectors.exchange_rate_changeable
        )
        visibility.register("core.SavedView", selectors.saved_view_visible, changeable=selectors.saved_view_changeable)
        visibility.register(
            "core.RateCounter", selectors.rate_counter_visible, changeable=selectors.rate_counter_changeable
        )
