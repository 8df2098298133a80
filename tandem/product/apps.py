from django.apps import AppConfig


class ProductConfig(AppConfig):
    name = "tandem.product"
    label = "product"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.product import selectors

        visibility.register("product.Product", selectors.product_visible)
        visibility.register("product.Goal", selectors.goal_visible)
        visibility.register("product.Feature", selectors.feature_visible)
        visibility.register("product.Release", selectors.release_visible)
        visibility.register("product.ScoringSettings", selectors.scoring_settings_visible)
