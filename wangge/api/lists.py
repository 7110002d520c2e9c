"""The three lists API (三张清单): needs, offers and projects of an area with their counts; posting; 双向认领;
matching suggestions for a need with their reasons; projects and their progress."""

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.lists import actions
from wangge.lists.matching import suggest_offers
from wangge.lists.models import ItemState, Need, Offer, OfferKind, Project, Topic
from wangge.lists.selectors import counts

router = Router(tags=["lists"])
SHOWN = 200
SUGGESTED = 5


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def item_row(x: Need | Offer) -> dict:
    row = {
        "id": x.pk,
        "area": x.area_code,
        "place": x.area.name,
        "topic": x.topic,
        "topic_name": x.get_topic_display(),
        "title": x.title,
        "description": x.description,
        "starts_on": x.starts_on,
        "ends_on": x.ends_on,
        "state": x.state,
        "state_name": x.get_state_display(),
        "posted_at": x.posted_at,
    }
    if isinstance(x, Need):
        row |= {"people": x.people, "claimed_by_unit": x.claimed_by_unit.name if x.claimed_by_unit else None}
    else:
        row |= {
            "kind": x.kind,
            "capacity": x.capacity,
            "provider": x.provider_unit.name if x.provider_unit else None,
            "claimed_by_area": x.claimed_by_area.name if x.claimed_by_area else None,
        }
    return row


def project_row(p: Project) -> dict:
    return {
        "id": p.pk,
        "area": p.area_code,
        "title": p.title,
        "need": p.need_id,
        "offers": [o.pk for o in p.offers.all()],
        "owner": p.owner.shown_name,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "progress": p.progress,
        "result": p.result,
        "state": p.state,
    }


def _seen(user: User, code: str) -> str:
    return scoping.get_area_for(user, code).code


@router.get("/lists/counts", response=dict)
def list_counts(request: HttpRequest, area: str = Query(..., max_length=40)) -> dict:  # type: ignore[type-arg]
    """How many needs, offers and projects under an area, by state (and `total`)."""
    return counts(_seen(_user(request), area))


@router.get("/lists/needs", response=list[dict])
def needs(
    request: HttpRequest, area: str = Query(..., max_length=40), state: ItemState | None = None
) -> list[dict]:  # type: ignore[type-arg]
    found = Need.objects.filter(area_code__startswith=_seen(_user(request), area))
    if state:
        found = found.filter(state=state)
    return [item_row(n) for n in found.select_related("area", "claimed_by_unit")[:SHOWN]]


@router.get("/lists/offers", response=list[dict])
def offers(
    request: HttpRequest, area: str = Query(..., max_length=40), state: ItemState | None = None
) -> list[dict]:  # type: ignore[type-arg]
    found = Offer.objects.filter(area_code__startswith=_seen(_user(request), area))
    if state:
        found = found.filter(state=state)
    return [item_row(o) for o in found.select_related("area", "provider_unit", "claimed_by_area")[:SHOWN]]


class ItemIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    topic: Topic
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class NeedIn(ItemIn):
    people: int = Field(0, ge=0, le=100_000)


class OfferIn(ItemIn):
    kind: OfferKind
    capacity: int = Field(1, ge=1, le=100_000)


@router.post("/lists/needs", response={201: dict, 409: dict, 422: dict})
def post_need(request: HttpRequest, payload: NeedIn) -> Status:
    user = _user(request)
    area = scoping.get_area_for(user, payload.area)
    need = actions.do_post_need(
        area=area,
        topic=payload.topic,
        title=payload.title,
        description=payload.description,
        people=payload.people,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        actor=user,
    )
    return Status(201, item_row(need))


@router.post("/lists/offers", response={201: dict, 409: dict, 422: dict})
def post_offer(request: HttpRequest, payload: OfferIn) -> Status:
    user = _user(request)
    area = scoping.get_area_for(user, payload.area)
    offer = actions.do_post_offer(
        area=area,
        topic=payload.topic,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        capacity=payload.capacity,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        actor=user,
    )
    return Status(201, item_row(offer))


def _need_for(user: User, need_id: int) -> Need:
    found = Need.objects.filter(pk=need_id).select_related("area", "claimed_by_unit").first()
    if found is None or not scoping.scope_of(user).sees_area(found.area_code):
        raise Http404
    return found


def _offer_for(user: User, offer_id: int) -> Offer:
    found = (
        Offer.objects.filter(pk=offer_id).select_related("area", "provider_unit", "claimed_by_area").first()
    )
    if found is None or not scoping.scope_of(user).sees_area(found.area_code):
        raise Http404
    return found


@router.get("/lists/needs/{need_id}/suggestions", response=list[dict])
def suggestions(request: HttpRequest, need_id: int) -> list[dict]:
    """The open offers that could meet the need, best first, each with its score and reasons."""
    need = _need_for(_user(request), need_id)
    return [
        {"offer": item_row(s.offer), "score": s.score, "reasons": s.reasons} for s in suggest_offers(need)
    ]


@router.post("/lists/needs/{need_id}/claim", response={200: dict, 409: dict})
def claim_need(request: HttpRequest, need_id: int) -> dict:
    """A unit's staff claim the need for their unit; one claimant (409 for the others)."""
    user = _user(request)
    return item_row(actions.do_claim_need(_need_for(user, need_id), actor=user))


class OfferClaimIn(Schema):
    community: str = Field(..., min_length=1, max_length=40)


@router.post("/lists/offers/{offer_id}/claim", response={200: dict, 409: dict})
def claim_offer(request: HttpRequest, offer_id: int, payload: OfferClaimIn) -> dict:
    """A community's staff claim the offer for their community; one claimant."""
    user = _user(request)
    community = scoping.get_area_for(user, payload.community)
    return item_row(actions.do_claim_offer(_offer_for(user, offer_id), actor=user, community=community))


class ProjectIn(Schema):
    need: int = Field(..., ge=1, le=2**53)
    offers: list[int] = Field(default_factory=list, max_length=20)
    title: str = Field("", max_length=100)
    starts_on: dt.date
    ends_on: dt.date


@router.post("/lists/projects", response={201: dict, 409: dict, 422: dict})
def start_project(request: HttpRequest, payload: ProjectIn) -> Status:
    user = _user(request)
    need = _need_for(user, payload.need)
    chosen = [_offer_for(user, pk) for pk in dict.fromkeys(payload.offers)]
    project = actions.do_start_project(
        need=need,
        offers=chosen,
        title=payload.title,
        owner=user,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        actor=user,
    )
    return Status(201, project_row(project))


@router.get("/lists/projects", response=list[dict])
def projects(request: HttpRequest, area: str = Query(..., max_length=40)) -> list[dict]:  # type: ignore[type-arg]
    found = Project.objects.filter(area_code__startswith=_seen(_user(request), area))
    return [project_row(p) for p in found.select_related("owner").prefetch_related("offers")[:SHOWN]]


class ProgressIn(Schema):
    progress: int = Field(..., ge=0, le=100)
    result: str = Field("", max_length=2000)


@router.post("/lists/projects/{project_id}/progress", response={200: dict, 409: dict, 422: dict})
def report(request: HttpRequest, project_id: int, payload: ProgressIn) -> dict:
    user = _user(request)
    found = Project.objects.filter(pk=project_id).select_related("owner").first()
    if found is None or not scoping.scope_of(user).sees_area(found.area_code):
        raise Http404
    return project_row(
        actions.do_report_project(found, actor=user, progress=payload.progress, result=payload.result)
    )
