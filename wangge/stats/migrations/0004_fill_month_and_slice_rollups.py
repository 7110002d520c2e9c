from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from wangge.stats.rollup import rebuild

    rebuild(models=apps)


class Migration(migrations.Migration):
    dependencies = [("stats", "0003_month_and_slice_rollups"), ("tickets", "0015_external_ids_by_source")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
