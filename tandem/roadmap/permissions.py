from enum import StrEnum


class RoadmapPermission(StrEnum):
    # Lifecycle moves follow the product: its manager among product managers (selectors.lifecycle_movable).
    MOVE_LIFECYCLE = "roadmap.move_lifecycle"
    EDIT_MARKET_RESEARCH = "roadmap.edit_market_research"
    SET_PUBLIC_ROADMAP = "roadmap.set_public_roadmap"
