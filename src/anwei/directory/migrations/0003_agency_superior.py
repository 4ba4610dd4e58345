import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_duty_roster")]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="superior",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subordinates",
                to="directory.agency",
                verbose_name="superior agency",
            ),
        ),
    ]
