from enum import StrEnum


class ActivitiesPermission(StrEnum):
    VIEW_ACTIVITIES = "activities.view_activities"
    LOG_ACTIVITY = "activities.log_activity"
