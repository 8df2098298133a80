from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tandem.imports"
    label = "imports"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.imports import selectors

        visibility.register(
            "imports.ImportJob", selectors.import_job_visible, changeable=selectors.import_job_changeable
        )
        visibility.register(
            "imports.ImportMapping", selectors.import_mapping_visible, changeable=selectors.import_mapping_changeable
        )
        visibility.register(
            "imports.RejectedRow", selectors.rejected_row_visible, changeable=selectors.rejected_row_changeable
        )
        visibility.register(
            "imports.StagedRow", selectors.staged_row_visible, changeable=selectors.staged_row_changeable
        )
