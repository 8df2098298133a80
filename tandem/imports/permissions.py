from enum import StrEnum


class ImportsPermission(StrEnum):
    # The imports pages: whoever may import some kind of record (`services.kinds_for` says which).
    IMPORT = "imports.import"
    # Accounts, contacts and deals: admins any owner's, sales managers their teams' (the sales
    # services' assignment and write rules decide row by row).
    IMPORT_PIPELINE = "imports.import_pipeline"
