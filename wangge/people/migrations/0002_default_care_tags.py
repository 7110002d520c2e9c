from django.db import migrations


def add_tags(apps, schema_editor):
    from wangge.people.models import DEFAULT_CARE_TAGS

    CareTag = apps.get_model("people", "CareTag")
    for sort, (code, name, description) in enumerate(DEFAULT_CARE_TAGS):
        CareTag.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
