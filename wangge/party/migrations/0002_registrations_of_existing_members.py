from django.db import migrations

COMMUNITY_CODE_LENGTH = 12  # areas.selectors: district 6 + street 3 + community 3


def register_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Party members who held the role before 双报到 was recorded: registered and accepted where they
    hold it, so that the community's 党员 list and coverage include them."""
    area = apps.get_model("areas", "Area")
    membership = apps.get_model("areas", "Membership")
    member = apps.get_model("party", "PartyMember")
    registration = apps.get_model("party", "Registration")
    for m in membership.objects.filter(role="party_member", active=True).select_related("area"):
        # the role held on a grid or building counts for the community above it
        if len(m.area.code) < COMMUNITY_CODE_LENGTH:  # held above a community: no 双报到 to record
            continue
        community = area.objects.get(code=m.area.code[:COMMUNITY_CODE_LENGTH])
        found, _ = member.objects.get_or_create(user_id=m.user_id)
        if registration.objects.filter(member=found, state="accepted").exists():
            continue
        registration.objects.create(
            member=found,
            community_id=community.pk,
            community_code=community.code,
            state="accepted",
            submitted_by_id=m.user_id,
            membership=m,
        )


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial"), ("areas", "0001_initial")]

    operations = [migrations.RunPython(register_existing, migrations.RunPython.noop)]
