from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tandem.activities"
    label = "activities"

    def ready(self) -> None:
        from tandem.activities import selectors
        from tandem.core import visibility

        visibility.register("activities.Activity", selectors.activity_visible, changeable=selectors.activity_changeable)
