from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "tandem.asks"
    label = "asks"

    def ready(self) -> None:
        from tandem.asks import selectors
        from tandem.core import visibility

        visibility.register("asks.Ask", selectors.ask_visible, changeable=selectors.ask_changeable)
        visibility.register("asks.Decision", selectors.decision_visible, changeable=selectors.decision_changeable)
        visibility.register(
            "asks.FeatureEvidence", selectors.feature_evidence_visible, changeable=selectors.feature_evidence_changeable
        )
        visibility.register(
            "asks.TriageAction", selectors.triage_action_visible, changeable=selectors.triage_action_changeable
        )
