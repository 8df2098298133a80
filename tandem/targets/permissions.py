from enum import StrEnum


class TargetsPermission(StrEnum):
    VIEW_TARGETS = "targets.view_targets"
    SET_TARGET = "targets.set_target"
    VIEW_ATTAINMENT = "targets.view_attainment"
    VIEW_TERRITORIES = "targets.view_territories"
    MANAGE_TERRITORIES = "targets.manage_territories"
