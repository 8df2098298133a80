from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "tandem.roadmap"
    label = "roadmap"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.roadmap import selectors

        visibility.register(
            "roadmap.LifecycleMove", selectors.lifecycle_move_visible, changeable=selectors.lifecycle_move_changeable
        )
        visibility.register(
            "roadmap.MarketResearch",
            selectors.market_research_visible,
            changeable=selectors.market_research_changeable,
        )
        visibility.register(
            "roadmap.RoadmapSettings",
            selectors.roadmap_settings_visible,
            changeable=selectors.roadmap_settings_changeable,
        )
