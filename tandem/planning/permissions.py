from enum import StrEnum


class PlanningPermission(StrEnum):
    VIEW_PLANNING = "planning.view_planning"
    SET_CAPACITY = "planning.set_capacity"
    PLAN_BUILD = "planning.plan_build"
    SAVE_PLAN = "planning.save_plan"
