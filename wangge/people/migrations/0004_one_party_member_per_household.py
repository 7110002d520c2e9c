from django.db import migrations, models


def keep_first_member(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Demo data made before this rule could give a household two members: the first one keeps it."""
    link = apps.get_model("people", "PartyMemberHousehold")
    seen: set[int] = set()
    extra = []
    for pk, household_id in link.objects.order_by("id").values_list("pk", "household_id"):
        if household_id in seen:
            extra.append(pk)
        seen.add(household_id)
    link.objects.filter(pk__in=extra).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0003_visit_schedule")]

    operations = [
        migrations.RunPython(keep_first_member, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="partymemberhousehold", name="party_household_once"),
        migrations.AddConstraint(
            model_name="partymemberhousehold",
            constraint=models.UniqueConstraint(fields=("household",), name="party_household_one_member"),
        ),
    ]
