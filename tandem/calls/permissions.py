from enum import StrEnum


class CallsPermission(StrEnum):
    VIEW_CALLS = "calls.view_calls"
    OPEN_CALL = "calls.open_call"
    JOIN_CALL = "calls.join_call"
    DEBRIEF_CALL = "calls.debrief_call"
