from enum import StrEnum


class AuditPermission(StrEnum):
    """Reading the whole trail (the page, its export, the API). A deal's own history is read by
    whoever sees the deal: that is the entries' visibility rule, not this permission."""

    VIEW_TRAIL = "audit.view_trail"
