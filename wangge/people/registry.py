"""Validation of registry input, shared by the importer, the API and the pages.

Each cleaner takes raw strings and returns clean values or a dict {field: reason in Chinese}.
"""

import datetime as dt
from dataclasses import dataclass, field

from wangge.lib.idcard import birth_date_of, gender_of, id_number_error, normalize_phone, phone_error
from wangge.people.models import CareLevel, CareTag, Gender, Housing, Relation

# Column headers of the registry spreadsheet, in order (import and export use the same).
FIELD_LABELS = {
    "area": "楼栋单元编码",
    "door_no": "门牌号",
    "housing": "居住类型",
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "phone": "联系电话",
    "relation": "与户主关系",
    "care_level": "关爱等级",
    "care_tags": "关爱标签",
    "notes": "备注",
}
REQUIRED = ("area", "door_no", "name", "id_number")
# Fields of registry actions that are not spreadsheet columns, for error messages.
OTHER_LABELS = {"reason": "调整原因", "days": "走访间隔"}
TAG_SEPARATORS = ("、", ",", "，", ";", "；", "|")


class RegistryError(ValueError):
    def __init__(self, errors: dict[str, str]):
        labels = FIELD_LABELS | OTHER_LABELS
        super().__init__("；".join(f"{labels.get(k, k)}：{v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class ResidentData:
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    phone: str = ""
    relation: str = Relation.HEAD
    care_level: str = CareLevel.GREEN
    care_tag_codes: list[str] = field(default_factory=list)
    notes: str = ""


def _by_label(choices: type, raw: str) -> str | None:
    """Accept either the stored value or the Chinese label of a choice."""
    for value, label in choices.choices:  # type: ignore[attr-defined]
        if raw in (value, label) or raw + "色" == label:
            return value
    return None


def parse_date(raw: str) -> dt.date | None:
    raw = raw.strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def tag_codes_by_name() -> dict[str, str]:
    tags = list(CareTag.objects.all())
    return {
        **{t.name: t.code for t in tags},
        **{t.code: t.code for t in tags},
    }


def clean_resident(
    raw: dict[str, str], *, tags: dict[str, str], today: dt.date | None = None
) -> ResidentData:
    """Validate one resident's fields. `tags` maps tag names and codes to codes."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    name = raw.get("name", "").strip()
    if not name:
        errors["name"] = "不能为空"
    elif len(name) > 50:
        errors["name"] = "不能超过50个字"

    id_number = raw.get("id_number", "").strip().upper()
    birth: dt.date | None = None
    gender = ""
    if not id_number:
        errors["id_number"] = "不能为空"
    elif (reason := id_number_error(id_number)) is not None:
        errors["id_number"] = reason
    else:
        birth = birth_date_of(id_number)
        gender = gender_of(id_number)
        if birth > today:
            errors["id_number"] = "身份证号中的出生日期晚于今天"

    if raw_birth := raw.get("birth_date", "").strip():
        given = parse_date(raw_birth)
        if given is None:
            errors["birth_date"] = "日期格式应为YYYY-MM-DD"
        elif birth is not None and given != birth:
            errors["birth_date"] = "与身份证号中的出生日期不一致"
    if raw_gender := raw.get("gender", "").strip():
        value = _by_label(Gender, raw_gender)
        if value is None:
            errors["gender"] = "应为“男”或“女”"
        elif gender and value != gender:
            errors["gender"] = "与身份证号中的性别不一致"

    phone = normalize_phone(raw.get("phone", "").strip())
    if phone and (reason := phone_error(phone)) is not None:
        errors["phone"] = reason

    relation = Relation.HEAD
    if raw_relation := raw.get("relation", "").strip():
        found = _by_label(Relation, raw_relation)
        if found is None:
            errors["relation"] = "应为" + "/".join(str(label) for label in Relation.labels)
        else:
            relation = Relation(found)

    care_level = CareLevel.GREEN
    if raw_level := raw.get("care_level", "").strip():
        found = _by_label(CareLevel, raw_level)
        if found is None:
            errors["care_level"] = "应为红/橙/黄/蓝/绿"
        else:
            care_level = CareLevel(found)

    tag_codes: list[str] = []
    raw_tags = raw.get("care_tags", "").strip()
    for sep in TAG_SEPARATORS:
        raw_tags = raw_tags.replace(sep, "、")
    for tag in filter(None, (t.strip() for t in raw_tags.split("、"))):
        if tag not in tags:
            errors["care_tags"] = f"未知的标签“{tag}”"
        elif tags[tag] not in tag_codes:
            tag_codes.append(tags[tag])

    notes = raw.get("notes", "").strip()
    if len(notes) > 2000:
        errors["notes"] = "不能超过2000个字"
    if errors:
        raise RegistryError(errors)
    assert birth is not None
    return ResidentData(
        name=name,
        gender=gender,
        birth_date=birth,
        id_number=id_number,
        phone=phone,
        relation=relation,
        care_level=care_level,
        care_tag_codes=tag_codes,
        notes=notes,
    )


def clean_housing(raw: str) -> str:
    if not raw.strip():
        return Housing.OWNED
    found = _by_label(Housing, raw.strip())
    if found is None:
        raise RegistryError({"housing": "应为自住/租住/空置"})
    return found
