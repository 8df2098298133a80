from enum import StrEnum


class CompetitionPermission(StrEnum):
    VIEW_COMPETITION = "competition.view_competition"
    EDIT_COMPETITORS = "competition.edit_competitors"
    EDIT_BATTLECARD = "competition.edit_battlecard"
    VIEW_INTEL = "competition.view_intel"
    LOG_INTEL = "competition.log_intel"
    CITE_LOSS_FEATURES = "competition.cite_loss_features"
