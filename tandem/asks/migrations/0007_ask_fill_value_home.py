from django.db import migrations

# One set-based statement for every ask (PostgreSQL and SQLite 3.33+ both take UPDATE ... FROM):
# joined once, not a subquery per ask and not a loop in Python. The rule is
# `tandem/asks/values.py`'s: the deal's home amount, else the account's annual revenue, else 0
# (the column's default, so those rows are not rewritten).
FILL = """
UPDATE asks_ask
SET value_home = v.value
FROM (
    SELECT a.id, COALESCE(o.amount_home, acc.annual_revenue, 0) AS value
    FROM asks_ask a
    JOIN sales_account acc ON acc.id = a.account_id
    LEFT JOIN sales_opportunity o ON o.id = a.opportunity_id
) v
WHERE v.id = asks_ask.id AND v.value <> 0
"""


class Migration(migrations.Migration):

    dependencies = [
        ('asks', '0006_ask_add_value_home'),
    ]

    # Backwards there is nothing to undo: reversing 0006 drops the column.
    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=True),
    ]
