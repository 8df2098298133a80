from django.apps import AppConfig


class CompetitionConfig(AppConfig):
    name = "tandem.competition"
    label = "competition"

    def ready(self) -> None:
        from tandem.competition import selectors
        from tandem.core import visibility

        visibility.register(
            "competition.Competitor", selectors.competitor_visible, changeable=selectors.competitor_changeable
        )
