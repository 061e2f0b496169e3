"""Writes on regions: loading the national division codes, setting and importing town classes."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from core.scoping import CHANGE, can, may_write
from core.services import unchanged
from regions.choices import OrganizingLevel, TownClass, TownKind
from regions.models import City, County, Town, TownClassification, Village, WorkTeam
from core.roles import is_system_admin

DATA_DIR = Path(__file__).resolve().parent / "data"

TOWN_SUFFIX_KIND = (("街道", TownKind.SUBDISTRICT), ("镇", TownKind.TOWN), ("乡", TownKind.TOWNSHIP))


def town_kind_for(code: str, name: str) -> str | None:
    """The kind of a township-level row, or None for statistical-only units (mining bureaus, farms, parks)."""
    if not (len(code) == 9 and code.isdigit()) or int(code[6:9]) >= 400:
        return None
    for suffix, kind in TOWN_SUFFIX_KIND:
        if name.endswith(suffix):
            return kind
    return None


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class DivisionLoadResult:
    counties: int
    towns: int
    skipped: int


@transaction.atomic
def divisions_load(*, city_code: str, source: Path = DATA_DIR) -> DivisionLoadResult:
    """Create or update a city, its counties and its real towns from the statistical division files.

    ``source`` holds ``provinces.csv``, ``cities*.csv``, ``areas*.csv``, ``streets*.csv`` in the
    national dataset's format. Idempotent: codes are the keys.
    """
    if not (city_code.isdigit() and len(city_code) == 4):
        raise ValidationError(_("地级市区划代码应为4位数字：%(code)s") % {"code": city_code})

    def pick(prefix):
        local = sorted(source.glob(f"{prefix}_{city_code}.csv"))
        return local[0] if local else source / f"{prefix}.csv"

    provinces = {row["code"]: row["name"] for row in _read_csv(source / "provinces.csv")}
    city_row = next((r for r in _read_csv(pick("cities")) if r["code"] == city_code), None)
    if city_row is None:
        raise ValidationError(_("区划数据中没有代码为%(code)s的地级市。") % {"code": city_code})
    city, _created = City.objects.update_or_create(
        code=city_code,
        defaults={"name": city_row["name"], "province_code": city_row["provinceCode"],
                  "province_name": provinces.get(city_row["provinceCode"], "")},
    )
    counties = {}
    for row in _read_csv(pick("areas")):
        if row["cityCode"] != city_code:
            continue
        county, _created = County.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "city": city})
        counties[row["code"]] = county
    towns = skipped = 0
    for row in _read_csv(pick("streets")):
        if row["cityCode"] != city_code:
            continue
        kind = town_kind_for(row["code"], row["name"])
        if kind is None or row["areaCode"] not in counties:
            skipped += 1
            continue
        Town.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": kind, "county": counties[row["areaCode"]]}
        )
        towns += 1
    return DivisionLoadResult(counties=len(counties), towns=towns, skipped=skipped)


@transaction.atomic
def town_classification_set(*, actor, cycle, town, town_class: str, organizing_level: str, note: str = "") -> TownClassification:
    """Set a town's class and organizing level for a cycle (the city's decision)."""
    row = TownClassification.objects.filter(cycle=cycle, town=town).first() or TownClassification(cycle=cycle, town=town)
    if row.pk and not can(actor, row, CHANGE):
        raise PermissionDenied(_("您无权修改该镇的类别。"))
    if not row.pk and not (is_system_admin(actor) or actor.role in TownClassification.scope_editors):
        raise PermissionDenied(_("您无权设置镇的类别。"))
    row.town_class, row.organizing_level, row.note = town_class, organizing_level, note
    if not may_write(actor, row, CHANGE):  # the town must be in the actor's scope; checked before anything is written
        raise PermissionDenied(_("您无权设置该镇的类别。"))
    row.full_clean()
    row.save()
    return row


def classification_columns():
    from core.excel import ColumnSpec

    return [
        ColumnSpec(key="code", header="镇代码", aliases=("区划代码", "乡镇代码", "代码"), kind="code"),
        ColumnSpec(key="name", header="镇名称", aliases=("乡镇", "镇", "名称"), required=False),
        ColumnSpec(key="town_class", header="镇类别", aliases=("类别",), kind="choice",
                   choices=[(value, str(label)) for value, label in TownClass.choices]),
        ColumnSpec(key="organizing_level", header="组织层级", aliases=("层级", "组织单位"), kind="choice",
                   choices=[(value, str(label)) for value, label in OrganizingLevel.choices]),
        ColumnSpec(key="note", header="备注", required=False),
    ]


@dataclass
class ImportReport:
    """Outcome of an all-or-nothing import: rows saved, or the errors that stopped it."""

    saved: int
    errors: list

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def town_classifications_import(*, actor, cycle, file, filename: str) -> ImportReport:
    """Import class and level per town from a spreadsheet: every row is checked, then all or none are saved."""
    from core.excel import RowError, read_table

    if not (is_system_admin(actor) or actor.role in TownClassification.scope_editors):
        raise PermissionDenied(_("只有市科技局可以导入镇类别。"))
    from django.conf import settings

    parsed = read_table(file, filename=filename, columns=classification_columns(), max_rows=settings.IMPORT_MAX_ROWS)
    errors = list(parsed.errors)
    if errors and not parsed.rows:
        return ImportReport(saved=0, errors=errors)
    codes = [row.get("code") for row in parsed.rows]
    towns = {town.code: town for town in Town.objects.filter(code__in=[c for c in codes if c]).select_related("county")}
    seen = {}
    wanted = []
    for row, line in zip(parsed.rows, parsed.row_numbers):
        town = towns.get(row.get("code") or "")
        if town is None:
            errors.append(RowError(line, "镇代码", str(_("未知的镇代码“%(code)s”") % {"code": row.get("code")})))
            continue
        if row.get("name") and row["name"] != town.name:
            errors.append(RowError(line, "镇名称", str(_("镇名称“%(name)s”与代码%(code)s（%(real)s）不符") % {
                "name": row["name"], "code": town.code, "real": town.name})))
            continue
        if town.code in seen:
            errors.append(RowError(line, "镇代码", str(_("与第%(row)s行重复") % {"row": seen[town.code]})))
            continue
        seen[town.code] = line
        wanted.append((town, row["town_class"], row["organizing_level"], row.get("note") or ""))
    if errors:
        return ImportReport(saved=0, errors=errors)
    existing = {row.town_id: row for row in TownClassification.objects.filter(cycle=cycle)}
    new_rows = []
    for town, town_class, level, note in wanted:
        row = existing.get(town.pk)
        if row is None:
            new_rows.append(TownClassification(cycle=cycle, town=town, town_class=town_class, organizing_level=level, note=note))
        elif (row.town_class, row.organizing_level, row.note) != (town_class, level, note):
            row.town_class, row.organizing_level, row.note = town_class, level, note
            row._change_reason = ("导入 %s" % filename)[:100]
            row.save()
    bulk_create_with_history(new_rows, TownClassification, default_user=actor)
    return ImportReport(saved=len(wanted), errors=[])


@transaction.atomic
def village_create(*, actor, town, name: str, code: str = "") -> Village:
    """A town's user (or its county or the city) adds a village under the town."""
    village = Village(town=town, name=(name or "").strip(), code=(code or "").strip())
    if not may_write(actor, village, CHANGE):  # checked before anything is written
        raise PermissionDenied(_("不能在您的管辖范围之外新增行政村。"))
    village.full_clean()
    try:
        with transaction.atomic():
            village.save()
    except IntegrityError:  # the same name added at the same moment by someone else (full_clean saw neither)
        raise ValidationError({"name": _("该镇已有同名行政村，请刷新后查看。")})
    return village


@transaction.atomic
def work_team_member_add(*, actor, town, name: str, position: str = "", unit: str = "", phone: str = ""):
    """Add a member to a town's work team (the team must be registered first)."""
    from regions.models import WorkTeamMember

    team = WorkTeam.objects.filter(town=town).first()
    if team is None:
        raise ValidationError(_("请先登记驻镇工作队。"))
    if not can(actor, team, CHANGE):
        raise PermissionDenied(_("您无权修改该镇的驻镇工作队。"))
    member = WorkTeamMember(work_team=team, name=(name or "").strip(), position=position.strip(), unit=unit.strip(),
                            phone=phone.strip())
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def work_team_member_remove(*, actor, member) -> None:
    if not can(actor, member.work_team, CHANGE):
        raise PermissionDenied(_("您无权修改该镇的驻镇工作队。"))
    member.delete()


@transaction.atomic
def work_team_save(*, actor, town, **fields) -> WorkTeam:
    """Create or update a town's stationed work team."""
    team = WorkTeam.objects.filter(town=town).first() or WorkTeam(town=town)
    for name, value in fields.items():
        setattr(team, name, value)
    if not may_write(actor, team, CHANGE):  # checked before anything is written
        raise PermissionDenied(_("您无权修改该镇的驻镇工作队。"))
    if unchanged(team):
        return team
    team.full_clean()
    team.save()
    return team


def copy_classifications(*, actor, source, cycle) -> int:
    """Copy ``source``'s town classes and organizing levels into the new ``cycle`` (a cycles.COPY_HOOKS hook)."""
    from simple_history.utils import bulk_create_with_history

    rows = [TownClassification(cycle=cycle, town_id=row.town_id, town_class=row.town_class,
                               organizing_level=row.organizing_level)
            for row in TownClassification.objects.filter(cycle=source)]
    bulk_create_with_history(rows, TownClassification, default_user=actor)
    return len(rows)
