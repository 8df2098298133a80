from enum import StrEnum


class ScorecardsPermission(StrEnum):
    VIEW_SCORECARDS = "scorecards.view_scorecards"
