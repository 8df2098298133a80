from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "tandem.decisions"
    label = "decisions"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.decisions import selectors

        visibility.register(
            "decisions.DecisionRight", selectors.decision_right_visible, changeable=selectors.decision_right_changeable
        )
        visibility.register(
            "decisions.Escalation", selectors.escalation_visible, changeable=selectors.escalation_changeable
        )
