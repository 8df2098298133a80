"""The workspace generator behind `manage.py seed`: a believable B2B software company, from a seed.

`generator.py` yields every table's rows (tuples, ids assigned up front, so rows can point at each
other without reading anything back); `tandem/core/bulk.py` streams them into the database (COPY on
PostgreSQL, batched INSERTs elsewhere); `load.py` runs the two together. See docs/seeding.md.
"""
