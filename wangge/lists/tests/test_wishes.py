"""微心愿 (issue 21): posted by a resident or for them, claimed by exactly one party member or volunteer,
fulfilled with a photo, confirmed, and the claimant's points; the wall masks who wished."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role
from wangge.conftest import DEMO_COMMUNITY, OTHER_STREET, png_bytes, race
from wangge.lib.errors import InputError, NotAllowed
from wangge.lists import actions as w
from wangge.lists.models import Wish, WishState
from wangge.lists.selectors import get_wish_for, wall
from wangge.people.models import Resident
from wangge.points.models import Account, Rule, RuleKey


def photo(name: str = "proof.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def the_resident() -> Resident:
    return Resident.objects.select_related("household__area").get(user__username="resident")


def test_a_wish_from_the_wall_to_its_confirmation(db, actor) -> None:  # type: ignore[no-untyped-def]
    """阜新's 心愿墙: a resident wishes, a party member claims and fulfils with a photo, the resident
    confirms, and the community's rule pays the party member."""
    Rule.objects.create(
        area=Area.objects.get(code=DEMO_COMMUNITY), key=RuleKey.WISH, name="完成微心愿", points=20
    )
    resident, party = actor("resident"), actor("party")
    with pytest.raises(InputError) as bad:
        w.do_post_wish(resident=the_resident(), text="想要一台收音机", value=500, actor=resident)
    assert bad.value.field == "value"
    wish = w.do_post_wish(resident=the_resident(), text="想要一台收音机 听评书", value=80, actor=resident)
    with pytest.raises(NotAllowed):  # a resident does not claim
        w.do_claim_wish(wish, actor=resident)
    w.do_claim_wish(wish, actor=party)
    with pytest.raises(NotAllowed, match="已认领"):
        w.do_claim_wish(wish, actor=actor("volunteer"))
    with pytest.raises(InputError) as no_photo:
        w.do_fulfil_wish(wish, actor=party, proof=SimpleUploadedFile("x.txt", b"not an image"))
    assert no_photo.value.field == "proof"
    w.do_fulfil_wish(wish, actor=party, proof=photo(), note="已送到家中")
    with pytest.raises(NotAllowed):
        w.do_confirm_wish(wish, actor=party)  # not the claimant's to confirm
    done = w.do_confirm_wish(wish, actor=resident)
    assert done.state == WishState.CONFIRMED and done.proof.name
    points = Account.objects.get(kind="person", user=party, currency="points")
    assert points.balance == 20
    entry = points.entries.select_related("transfer").get()
    assert "收音机" in entry.transfer.reason


def test_a_grid_worker_posts_for_an_elderly_resident_and_confirms(db, actor, grid_resident) -> None:  # type: ignore[no-untyped-def]
    worker, volunteer = actor("gridworker"), actor("volunteer")
    wish = w.do_post_wish(resident=grid_resident, text="换个灯泡", value=10, actor=worker)
    w.do_claim_wish(wish, actor=volunteer)
    w.do_release_wish(wish, actor=volunteer)
    assert Wish.objects.get(pk=wish.pk).state == WishState.OPEN
    w.do_claim_wish(wish, actor=volunteer)
    w.do_fulfil_wish(wish, actor=volunteer, proof=photo())
    assert w.do_confirm_wish(wish, actor=worker).state == WishState.CONFIRMED
    # No rule for wishes in this community: confirmed all the same, no points.
    assert not Account.objects.filter(user=volunteer).exclude(balance=0).exists()
    outside = Resident.objects.filter(household__area__code__startswith=OTHER_STREET).first()
    assert outside is not None
    with pytest.raises(NotAllowed):
        w.do_post_wish(resident=outside, text="想要书", value=20, actor=worker)


def test_the_wall_masks_the_wisher_and_waiting_ones_come_first(db, actor, client_for) -> None:  # type: ignore[no-untyped-def]
    resident, party = actor("resident"), actor("party")
    older = w.do_post_wish(resident=the_resident(), text="修自行车", value=30, actor=resident)
    newer = w.do_post_wish(resident=the_resident(), text="买副老花镜", value=40, actor=resident)
    w.do_claim_wish(newer, actor=party)
    shown = list(wall(actor("volunteer")))
    assert [x.pk for x in shown[:2]] == [older.pk, newer.pk]
    with pytest.raises(Http404):  # someone with no community sees no wall
        get_wish_for(User.objects.create(username="nobody"), older.pk)


@pytest.mark.django_db(transaction=True)
def test_one_claimant_when_many_claim_at_once(committed_city) -> None:  # type: ignore[no-untyped-def]
    resident = User.objects.get(username="resident")
    wish = w.do_post_wish(resident=the_resident(), text="想学用智能手机", value=1, actor=resident)
    claimants = [User.objects.get(username=n) for n in ("party", "volunteer", "party", "volunteer")]

    def claim(i: int) -> str:
        w.do_claim_wish(Wish.objects.select_related("resident").get(pk=wish.pk), actor=claimants[i])
        return "claimed"

    outcomes = race(len(claimants), claim)
    assert outcomes.count("claimed") == 1, outcomes
    assert all(o == "claimed" or "已认领" in o for o in outcomes), outcomes
    assert Wish.objects.get(pk=wish.pk).state == WishState.CLAIMED


def test_a_claimant_neither_posts_nor_confirms_their_own_wish(db, actor, grid_resident) -> None:  # type: ignore[no-untyped-def]
    """Whoever earns a wish's points cannot also be the one who posted or confirms it."""
    community = actor("community")
    party = actor("party")
    wish = w.do_post_wish(resident=grid_resident, text="换个水龙头", value=30, actor=community)
    w.do_claim_wish(wish, actor=party)
    w.do_fulfil_wish(wish, actor=party, proof=photo())
    with pytest.raises(NotAllowed):
        w.do_confirm_wish(wish, actor=party)
    Membership.objects.create(user=community, area=Area.objects.get(code=DEMO_COMMUNITY), role=Role.VOLUNTEER)
    own = w.do_post_wish(resident=grid_resident, text="买个拖把", value=20, actor=community)
    with pytest.raises(NotAllowed):
        w.do_claim_wish(own, actor=community)  # posted it: may not claim it
