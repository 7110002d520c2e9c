import datetime as dt

from ninja import Schema


class AreaRef(Schema):
    code: str
    name: str
    level: str


class AreaOut(AreaRef):
    level_name: str
    grid_kind: str | None
    grid_tier: int | None
    duties: list[str]
    lat: float | None
    lng: float | None
    parent: str | None
    ancestors: list[AreaRef]
    children_count: int


class UnitRef(Schema):
    code: str
    name: str
    kind: str
    area: str


class MembershipOut(Schema):
    role: str
    role_name: str
    area: AreaRef | None
    unit: UnitRef | None


class ResidentHome(Schema):
    household_id: int
    address: str
    grid: AreaRef | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    memberships: list[MembershipOut]
    areas: list[AreaRef]
    units: list[UnitRef]
    resident: ResidentHome | None


class LocateOut(Schema):
    found: bool
    grid: AreaRef | None
    ancestors: list[AreaRef]
    detail: str


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    age: int
    id_number: str
    phone: str
    relation: str
    care_level: str
    care_tags: list[str]
    household_id: int
    address: str


class HouseholdOut(Schema):
    id: int
    area: str
    door_no: str
    address: str
    housing: str
    resident_count: int


class HouseholdDetail(HouseholdOut):
    grid: AreaRef | None
    residents: list[ResidentOut]


class RevealOut(Schema):
    id: int
    id_number: str
    phone: str


class Message(Schema):
    detail: str
