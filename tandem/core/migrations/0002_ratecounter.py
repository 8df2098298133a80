from django.db import migrations, models


def _set_logged(logged: bool):
    def run(apps, schema_editor):
        # PostgreSQL flushes the write-ahead log to disk at every commit that wrote a logged table: a
        # few milliseconds per API request for a counter. An unlogged table commits without that
        # wait; after a crash PostgreSQL empties it, and every limit starts counting again.
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name("core_ratecounter")
            schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("window_start", models.BigIntegerField(help_text="Unix time at which the counted window began.")),
                ("count", models.PositiveIntegerField()),
            ],
        ),
        migrations.RunPython(_set_logged(False), _set_logged(True)),
    ]
