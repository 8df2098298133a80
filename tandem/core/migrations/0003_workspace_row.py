"""The company's workspace row exists from the start: every page that shows money reads its home
currency, and reading it should never be the request that creates it."""

from django.db import migrations


def create(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    Workspace.objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_ratecounter")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
