"""Registry import and export: households and residents, one resident per row, xlsx or csv.

A bad row is reported with its row number, column and reason in Chinese. By default nothing is written
when any row is bad; with `skip_bad` the good rows are written and the bad ones reported.
"""

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.db import transaction
from django.db.models import QuerySet

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Level
from wangge.lib.masking import mask_id_number, mask_phone
from wangge.people.actions import do_create_household, do_create_resident, do_update_resident
from wangge.people.models import Household, Resident, id_number_lookup
from wangge.people.registry import (
    FIELD_LABELS,
    REQUIRED,
    RegistryError,
    ResidentData,
    clean_housing,
    clean_resident,
    tag_codes_by_name,
)

MAX_ROWS = 200_000
# A registry column is titled with the Chinese label or the field's own name.
COLUMN_TITLES = {key: (label, key) for key, label in FIELD_LABELS.items()}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}：{self.reason}"


@dataclass
class FileReport:
    """What any import of a file reports: rows read, row errors, and whether anything was written."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


@dataclass
class ImportReport(FileReport):
    households_created: int = 0
    residents_created: int = 0
    residents_updated: int = 0


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, header)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):  # a date, or a datetime whose time of day matters (12345 来电时间)
        if getattr(value, "hour", 0) or getattr(value, "minute", 0) or getattr(value, "second", 0):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(name: str, content: bytes) -> Iterator[list[str]]:
    """Rows of a .xlsx or .csv file as lists of strings (csv in UTF-8, with or without BOM, or GB18030)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        # Read-only openpyxl parses the sheet while iterating, so a file cut short fails half-way through
        # the rows as well as on opening; both are the file's fault. (It raises many kinds of exception.)
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0].iter_rows(values_only=True)
            # One row past the limit is enough for mapped_rows to refuse the file.
            rows = [[_cell(v) for v in row] for row in itertools.islice(sheet, MAX_ROWS + 2)]
        except Exception as exc:
            raise ImportFileError(f"Excel文件「{name}」已损坏或不完整，无法读取，请重新导出后再导入") from exc
        yield from rows
        return
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError("CSV文件编码无法识别（应为UTF-8或GBK）")
        yield from ([c.strip() for c in row] for row in csv.reader(io.StringIO(text)))
        return
    raise ImportFileError("文件格式应为.xlsx或.csv")


def mapped_rows(
    table: Iterable[list[str]],
    titles: Mapping[str, str | tuple[str, ...]],
    required: Iterable[str],
    *,
    hint: str = "",
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {field: stripped value}) for each non-empty row, the columns found by their titles
    (`titles` maps a field to its column title, or to several accepted titles, the first one shown in
    messages). A missing required column fails the whole file."""
    rows = iter(table)
    header = next(rows, None)
    if header is None:
        raise ImportFileError("文件是空的")
    by_title = {h.strip(): i for i, h in enumerate(header) if h.strip()}
    accepted = {f: (t,) if isinstance(t, str) else t for f, t in titles.items()}
    columns = {
        f: next(by_title[t] for t in names if t in by_title)
        for f, names in accepted.items()
        if set(names) & set(by_title)
    }
    missing = [accepted[f][0] for f in required if f not in columns]
    if missing:
        raise ImportFileError("缺少必需的列：" + "、".join(missing) + hint)
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        if number > MAX_ROWS + 1:
            raise ImportFileError(f"一次最多导入{MAX_ROWS}行")
        yield number, {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}


@dataclass
class _GoodRow:
    number: int
    area: Area
    door_no: str
    housing: str
    resident: ResidentData


def _validate(
    rows: Iterable[tuple[int, dict[str, str]]], *, actor: User | None, report: ImportReport
) -> list[_GoodRow]:
    rows = list(rows)
    report.rows = len(rows)
    tags = tag_codes_by_name()
    areas = {a.code: a for a in Area.objects.filter(code__in={r.get("area", "") for _, r in rows})}
    seen_ids: dict[str, int] = {}
    good: list[_GoodRow] = []
    for number, raw in rows:
        errors: dict[str, str] = {}
        area = areas.get(raw.get("area", "").strip())
        if not raw.get("area", "").strip():
            errors["area"] = "不能为空"
        elif area is None or (actor is not None and not scoping.may_edit_registry(actor, area)):
            errors["area"] = f"没有编码为{raw['area']}的楼栋或单元（或不在您的管辖范围）"
        elif area.level not in (Level.BUILDING, Level.UNIT):
            errors["area"] = f"{area.name}是{area.get_level_display()}，住户只能登记在楼栋或单元上"
        door_no = raw.get("door_no", "").strip()
        if not door_no:
            errors["door_no"] = "不能为空"
        elif len(door_no) > 30:
            errors["door_no"] = "不能超过30个字"
        housing = ""
        try:
            housing = clean_housing(raw.get("housing", ""))
        except RegistryError as exc:
            errors.update(exc.errors)
        resident: ResidentData | None = None
        try:
            resident = clean_resident(raw, tags=tags)
        except RegistryError as exc:
            errors.update(exc.errors)
        if resident is not None:
            if resident.id_number in seen_ids:
                errors["id_number"] = f"与第{seen_ids[resident.id_number]}行重复"
            else:
                seen_ids[resident.id_number] = number
        if errors:
            report.errors += [RowError(number, FIELD_LABELS[k], v) for k, v in errors.items()]
            continue
        assert area is not None and resident is not None
        good.append(_GoodRow(number, area, door_no, housing, resident))
    return good


def _write(good: list[_GoodRow], *, actor: User | None, report: ImportReport, skip_bad: bool) -> None:
    existing = {
        r.id_number_index: r
        for r in Resident.objects.filter(
            id_number_index__in=[id_number_lookup(g.resident.id_number) for g in good]
        ).select_related("household__area")
    }
    households: dict[tuple[int, str], Household] = {
        (h.area_id, h.door_no): h
        for h in Household.objects.filter(
            area__in={g.area for g in good}, door_no__in={g.door_no for g in good}
        )
    }
    for row in good:
        try:
            with transaction.atomic():
                key = (row.area.pk, row.door_no)
                household = households.get(key)
                created_household = household is None
                if household is None:
                    household = do_create_household(
                        area=row.area, door_no=row.door_no, housing=row.housing, actor=actor, source="import"
                    )
                current = existing.get(id_number_lookup(row.resident.id_number))
                if current is not None:
                    if actor is not None and not scoping.may_edit_registry(actor, current.household.area):
                        raise RegistryError({"id_number": "该居民已登记在您管辖范围以外"})
                    do_update_resident(
                        current, data=row.resident, household=household, actor=actor, source="import"
                    )
                    report.residents_updated += 1
                else:
                    do_create_resident(household=household, data=row.resident, actor=actor, source="import")
                    report.residents_created += 1
                households[key] = household
                report.households_created += int(created_household)
        except RegistryError as exc:
            report.errors += [RowError(row.number, FIELD_LABELS[k], v) for k, v in exc.errors.items()]
            if not skip_bad:
                raise


def import_registry(*, name: str, content: bytes, actor: User | None, skip_bad: bool = False) -> ImportReport:
    """Validate every row, then write all of them (or, with skip_bad, the good ones) in one transaction.
    Raises ImportFileError when the file itself cannot be read."""
    report = ImportReport()
    good = _validate(
        mapped_rows(read_table(name, content), COLUMN_TITLES, REQUIRED), actor=actor, report=report
    )
    if report.errors and not skip_bad:
        return report
    try:
        with transaction.atomic():
            _write(good, actor=actor, report=report, skip_bad=skip_bad)
    except RegistryError:
        report.households_created = report.residents_created = report.residents_updated = 0
        return report
    report.written = True
    report.errors.sort(key=lambda e: e.row)
    return report


def export_rows(residents: QuerySet[Resident], *, full: bool = False) -> Iterator[list[str]]:
    """Header and one row per resident; ID and phone numbers masked unless `full` (the caller logs it)."""
    yield list(FIELD_LABELS.values())
    qs = residents.select_related("household", "household__area").prefetch_related("care_tags")
    for r in qs.order_by("household__area__code", "household__door_no", "id").iterator(chunk_size=2000):
        id_number, phone = r.id_number, r.phone
        yield [
            r.household.area.code,
            r.household.door_no,
            r.household.get_housing_display(),
            r.name,
            r.get_gender_display(),
            r.birth_date.isoformat(),
            id_number if full else mask_id_number(id_number),
            phone if full else mask_phone(phone),
            r.get_relation_display(),
            r.get_care_level_display(),
            "、".join(t.name for t in r.care_tags.all()),
            r.notes,
        ]
