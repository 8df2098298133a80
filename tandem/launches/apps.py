from django.apps import AppConfig


class LaunchesConfig(AppConfig):
    name = "tandem.launches"
    label = "launches"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.launches import selectors as s

        visibility.register("launches.LaunchPlan", s.launch_plan_visible, changeable=s.launch_plan_changeable)
        visibility.register("launches.ChecklistItem", s.checklist_item_visible, changeable=s.checklist_item_changeable)
        visibility.register("launches.SuccessMetric", s.success_metric_visible, changeable=s.success_metric_changeable)
        visibility.register(
            "launches.DigestSettings", s.digest_settings_visible, changeable=s.digest_settings_changeable
        )
        visibility.register(
            "launches.DigestDelivery", s.digest_delivery_visible, changeable=s.digest_delivery_changeable
        )
