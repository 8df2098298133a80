"""Calling the API as a user, with a personal token as an integration would."""

import json
from typing import Any

from django.test import Client

from tandem.core.api import token_digest, token_generate
from tandem.people.models import ApiToken, User


class ApiClient:
    def __init__(self, client: Client, user: User) -> None:
        key = token_generate()
        ApiToken.objects.create(user=user, name="test", prefix=key[:8], digest=token_digest(key))
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.generic(
            method, path, data=json.dumps(body or {}), content_type="application/json", headers=self.headers
        )
