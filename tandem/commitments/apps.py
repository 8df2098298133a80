from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "tandem.commitments"
    label = "commitments"

    def ready(self) -> None:
        from tandem.commitments import selectors
        from tandem.core import visibility

        visibility.register(
            "commitments.Commitment", selectors.commitment_visible, changeable=selectors.commitment_changeable
        )
        visibility.register(
            "commitments.WarningDay", selectors.warning_day_visible, changeable=selectors.warning_day_changeable
        )
