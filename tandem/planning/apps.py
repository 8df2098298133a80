from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "tandem.planning"
    label = "planning"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.planning import selectors

        visibility.register(
            "planning.TeamCapacity", selectors.team_capacity_visible, changeable=selectors.team_capacity_changeable
        )
        visibility.register(
            "planning.FeatureBuild", selectors.feature_build_visible, changeable=selectors.feature_build_changeable
        )
        visibility.register(
            "planning.QuarterPlan", selectors.quarter_plan_visible, changeable=selectors.quarter_plan_changeable
        )
