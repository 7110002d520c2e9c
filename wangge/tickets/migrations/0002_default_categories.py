from django.db import migrations

from wangge.tickets.categories import load_categories


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    load_categories(apps.get_model("tickets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
