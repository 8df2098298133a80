from enum import StrEnum


class AsksPermission(StrEnum):
    LOG_ASK = "asks.log_ask"
    TRIAGE = "asks.triage"
