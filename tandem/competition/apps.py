from django.apps import AppConfig


class CompetitionConfig(AppConfig):
    name = "tandem.competition"
    label = "competition"

    def ready(self) -> None:
        from tandem.competition import selectors as s
        from tandem.core import visibility

        visibility.register("competition.Competitor", s.competitor_visible, changeable=s.competitor_changeable)
        visibility.register(
            "competition.CompetitorProduct", s.competitor_product_visible, changeable=s.competitor_product_changeable
        )
        visibility.register("competition.FieldIntel", s.field_intel_visible, changeable=s.field_intel_changeable)
        visibility.register("competition.Battlecard", s.battlecard_visible, changeable=s.battlecard_changeable)
        visibility.register(
            "competition.BattlecardRevision",
            s.battlecard_revision_visible,
            changeable=s.battlecard_revision_changeable,
        )
        visibility.register("competition.LossFeature", s.loss_feature_visible, changeable=s.loss_feature_changeable)
