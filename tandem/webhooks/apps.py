from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "tandem.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.webhooks import selectors

        visibility.register(
            "webhooks.Subscription", selectors.subscription_visible, changeable=selectors.subscription_changeable
        )
        visibility.register("webhooks.Delivery", selectors.delivery_visible, changeable=selectors.delivery_changeable)
