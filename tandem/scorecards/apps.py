from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    """Scorecards side by side: figures read from the other apps' selectors; no model of its own."""

    name = "tandem.scorecards"
    label = "scorecards"
