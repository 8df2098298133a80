from django.apps import AppConfig


class ProductConfig(AppConfig):
    name = "tandem.product"
    label = "product"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.product import selectors

        visibility.register("product.Product", selectors.product_visible, changeable=selectors.product_changeable)
        visibility.register("product.Goal", selectors.goal_visible, changeable=selectors.goal_changeable)
        visibility.register("product.Feature", selectors.feature_visible, changeable=selectors.feature_changeable)
        visibility.register("product.Release", selectors.release_visible, changeable=selectors.release_changeable)
        visibility.register(
            "product.ScoringSettings",
            selectors.scoring_settings_visible,
            changeable=selectors.scoring_settings_changeable,
        )
