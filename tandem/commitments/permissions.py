from enum import StrEnum


class CommitmentsPermission(StrEnum):
    """Who approves a commitment is not here: the decision rights' right to plan the feature says that."""

    VIEW_COMMITMENTS = "commitments.view_commitments"
    ASK_COMMITMENT = "commitments.ask_commitment"
