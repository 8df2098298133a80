from enum import StrEnum


class PeoplePermission(StrEnum):
    MANAGE_USERS = "people.manage_users"
    MANAGE_OWN_TOKENS = "people.manage_own_tokens"
