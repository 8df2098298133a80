"""The stored vectors were half-precision floats; they are int8 now. They are derived data, so they
are dropped rather than converted row by row: `manage.py triage_index` recomputes them (docs/triage.md),
and until then new asks and links are indexed as they come."""

from django.db import migrations


def drop_vectors(apps, schema_editor):
    apps.get_model("triage", "AskVector").objects.all().delete()
    apps.get_model("triage", "FeatureVector").objects.all().delete()
    IndexChange = apps.get_model("triage", "IndexChange")
    IndexChange.objects.all().delete()
    IndexChange.objects.create()  # both ids empty: every process reloads


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_vectors_int8_kept_wordings"),
    ]

    operations = [
        migrations.RunPython(drop_vectors, drop_vectors),
    ]
