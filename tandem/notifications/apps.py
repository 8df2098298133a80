from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tandem.notifications"
    label = "notifications"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.notifications import selectors

        visibility.register(
            "notifications.Notification", selectors.notification_visible, changeable=selectors.notification_changeable
        )
