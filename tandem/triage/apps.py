from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "tandem.triage"
    label = "triage"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.triage import selectors

        visibility.register(
            "triage.AskVector", selectors.ask_vector_visible, changeable=selectors.ask_vector_changeable
        )
        visibility.register(
            "triage.FeatureVector", selectors.feature_vector_visible, changeable=selectors.feature_vector_changeable
        )
        visibility.register(
            "triage.IndexChange", selectors.index_change_visible, changeable=selectors.index_change_changeable
        )
