from enum import StrEnum


class LeadsPermission(StrEnum):
    VIEW_LEADS = "leads.view_leads"
    EDIT_LEADS = "leads.edit_leads"
