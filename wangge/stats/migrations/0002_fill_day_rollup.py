from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from wangge.stats.rollup import rebuild

    rebuild(models=apps)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial"), ("tickets", "0002_default_categories")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
