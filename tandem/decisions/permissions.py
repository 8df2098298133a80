from enum import StrEnum


class DecisionsPermission(StrEnum):
    """Who decides each outcome is not here: the workspace's decision rights (`DecisionRight`) say that."""

    EDIT_RIGHTS = "decisions.edit_rights"
    ESCALATE = "decisions.escalate"
