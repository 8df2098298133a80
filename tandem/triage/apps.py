from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "tandem.triage"
    label = "triage"
