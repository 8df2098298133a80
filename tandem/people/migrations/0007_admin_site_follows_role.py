"""The role decides who enters the admin site. Whoever an operator let in (a `createsuperuser`
of the default role, say) becomes an admin, so no one loses the access they use; every other
person's flags follow their role."""

from django.db import migrations, models
from django.db.models import Q

import tandem.core.constraints
import tandem.people.models


def roles_from_admin_site(apps, schema_editor):
    User = apps.get_model("people", "User")
    User.objects.filter(Q(is_staff=True) | Q(is_superuser=True)).update(role="admin")
    User.objects.filter(role="admin").update(is_staff=True, is_superuser=True)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('people', '0006_user_external_id'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', tandem.people.models.PeopleManager()),
            ],
        ),
        migrations.RunPython(roles_from_admin_site, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='user',
            constraint=tandem.core.constraints.FieldCheckConstraint(condition=models.Q(models.Q(('role', 'admin'), ('is_staff', True), ('is_superuser', True)), models.Q(models.Q(('role', 'admin'), _negated=True), ('is_staff', False), ('is_superuser', False)), _connector='OR'), name='user_admin_site_follows_role', field='role', violation_error_message='Only admins enter the admin site, and every admin does.'),
        ),
    ]
