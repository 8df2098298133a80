from enum import StrEnum


class ProductPermission(StrEnum):
    EDIT_FEATURE = "product.edit_feature"
    ESTIMATE_EFFORT = "product.estimate_effort"
    MANAGE_PRODUCTS = "product.manage_products"
    MANAGE_RELEASES = "product.manage_releases"
    SET_GOALS = "product.set_goals"
    SET_SCORING = "product.set_scoring"
