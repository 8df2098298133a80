from enum import StrEnum


class LaunchesPermission(StrEnum):
    """Who changes a launch is not here: it follows the right to manage its release (decision rights)."""

    READ_DIGEST = "launches.read_digest"
    SET_DIGEST = "launches.set_digest"
