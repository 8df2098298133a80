from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tandem.audit"
    label = "audit"

    def ready(self) -> None:
        from tandem.audit import selectors
        from tandem.core import visibility

        visibility.register(
            "audit.AuditEntry", selectors.audit_entry_visible, changeable=selectors.audit_entry_changeable
        )
