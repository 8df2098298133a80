from enum import StrEnum


class CoachingPermission(StrEnum):
    VIEW_COACHING = "coaching.view_coaching"
    COACH = "coaching.coach"
    ACKNOWLEDGE_REVIEW = "coaching.acknowledge_review"
