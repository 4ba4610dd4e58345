"""Whether an item is kept outside the agency's premises (機關外). Existing places that plainly name somewhere outside
(a residence, a home) are flagged; every other place stays inside the premises, as the register assumed so far."""

from django.db import migrations, models

OUTSIDE_WORDS = ("住處", "住所", "住家", "住宅", "宅", "家中", "寓所", "機關外", "旅館", "飯店")


def flag_outside_places(apps, schema_editor):  # type: ignore[no-untyped-def]
    item = apps.get_model("classified", "ClassifiedItem")
    for pk, place in item.objects.values_list("pk", "storage_location").iterator():
        if any(word in (place or "") for word in OUTSIDE_WORDS):
            item.objects.filter(pk=pk).update(storage_outside_premises=True)


class Migration(migrations.Migration):
    dependencies = [
        ("classified", "0002_transfer_receipt_cancel_one_open"),
    ]

    operations = [
        migrations.AddField(
            model_name="classifieditem",
            name="storage_outside_premises",
            field=models.BooleanField(default=False, verbose_name="kept outside the agency's premises"),
        ),
        migrations.RunPython(flag_outside_places, migrations.RunPython.noop),
    ]
