from django.db import migrations, models


# Built after the fill (0007), once over the final values, rather than updated row by row during it.
class Migration(migrations.Migration):

    dependencies = [
        ('asks', '0007_ask_fill_value_home'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ask',
            index=models.Index(fields=['status', '-value_home', '-id'], name='ask_status_value'),
        ),
    ]
