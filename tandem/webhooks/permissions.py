from enum import StrEnum


class WebhooksPermission(StrEnum):
    MANAGE_WEBHOOKS = "webhooks.manage_webhooks"
