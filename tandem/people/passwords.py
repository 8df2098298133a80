"""Password rules beyond Django's own (ASVS 2.1): lengths as a person types them, no composition rules."""

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """At least `min_length` characters once runs of spaces count as one (ASVS 2.1.1): twelve
    spaces in a row do not make a password twelve characters long."""

    def validate(self, password: str, user: Any = None) -> None:
        super().validate(re.sub(r"\s+", " ", password), user)


class MaximumLengthValidator:
    """Long passphrases are welcome up to `max_length` characters (ASVS 2.1.2); a longer one is
    refused with a reason rather than cut short, since a shortened password is not the one typed."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Up to {self.max_length} characters: a passphrase of several words works well."
