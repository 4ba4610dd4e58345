from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_cyber_rules_2026_amendment")]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="drill",
            field=models.BooleanField(default=False, verbose_name="drill (演練)"),
        ),
        migrations.AddField(
            model_name="incident",
            name="drill_tells_outside",
            field=models.BooleanField(default=False, verbose_name="outside bodies are told of the drill"),
        ),
    ]
