from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "tandem.asks"
    label = "asks"

    def ready(self) -> None:
        from tandem.asks import selectors
        from tandem.core import visibility

        visibility.register("asks.Ask", selectors.ask_visible)
        visibility.register("asks.Decision", selectors.decision_visible)
        visibility.register("asks.FeatureEvidence", selectors.feature_evidence_visible)
        visibility.register("asks.TriageAction", selectors.triage_action_visible)
