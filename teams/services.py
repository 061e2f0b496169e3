"""Writes on the commissioner registry and teams: create, verify, members, eligibility, Excel import."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.china import normalize_id_number, normalize_phone, validate_id_number
from core.excel import ColumnSpec, RowError, read_table
from core.scoping import CHANGE, can, is_unrestricted
from core.services import record_save
from regions.models import WorkTeamMember
from teams.choices import DEGREE_OK, TITLE_OK, Education, Gender, MemberRole, ServiceType, TitleLevel
from teams.models import Commissioner, Team, TeamMembership
from teams.protect import digest
from units.models import DispatchingUnit

# Who a person is and how to reach them: changed by the person, their dispatching unit or the administrator.
IDENTITY_FIELDS = ("name", "gender", "phone", "unit")
COMMISSIONER_FIELDS = ("name", "gender", "phone", "unit", "title", "title_level", "education", "specialty",
                       "expertise_keywords", "bio", "in_work_team")
TEAM_FIELDS = ("name", "summary", "expertise_summary", "research_directions", "service_types")
IMPORTERS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.UNIT})
TEAM_IMPORTERS = frozenset({Role.CITY_ST, Role.COUNTY_ST})


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

def clean_id_number(value: str) -> str:
    """The normalized number, or a ValidationError in Chinese (checksum, date, shape)."""
    validate_id_number(value)
    return normalize_id_number(value)


def find_by_id_number(number: str) -> Commissioner | None:
    return Commissioner.objects.filter(id_number_digest=digest(normalize_id_number(number))).first()


def eligibility_problems(commissioner: Commissioner, cycle, *, exclude_team: Team | None = None) -> list[str]:
    """Why this person may not be a commissioner in ``cycle`` under its switches (empty list: eligible)."""
    problems = []
    name = commissioner.name
    if cycle.require_degree_or_title and not (
        commissioner.education in DEGREE_OK or commissioner.title_level in TITLE_OK
    ):
        problems.append(str(_("%(name)s不符合申报条件：须具有大学本科及以上学历或中级及以上职称。") % {"name": name}))
    if cycle.exclude_work_team_members:
        phone = normalize_phone(commissioner.phone)
        listed = phone and WorkTeamMember.objects.filter(name=name, phone__in=[phone, commissioner.phone]).exists()
        if commissioner.in_work_team or listed:
            problems.append(str(_("%(name)s是驻镇工作队队员，不能作为特派员申报。") % {"name": name}))
    if cycle.exclude_selected_elsewhere and commissioner.pk:
        # Teams of this person with an accepted application in the cycle (calls' applications, through the reverse
        # relation: calls sits above teams and is not imported).
        selected = Team.objects.filter(applications__call__cycle=cycle, applications__status="accepted",
                                       memberships__commissioner=commissioner)
        if exclude_team is not None:
            selected = selected.exclude(pk=exclude_team.pk)
        if selected.exists():
            problems.append(str(_("%(name)s已在本周期入选其他团队，不能重复申报。") % {"name": name}))
    return problems


def _other_team(commissioner: Commissioner, cycle, team: Team | None) -> Team | None:
    rows = TeamMembership.objects.filter(commissioner=commissioner, cycle=cycle).select_related("team")
    if team is not None:
        rows = rows.exclude(team=team)
    row = rows.first()
    return row.team if row else None


def _check_size_room(team: Team, adding: int = 1) -> None:
    size = TeamMembership.objects.filter(team=team).count()
    if size + adding > team.cycle.team_size_max:
        raise ValidationError(_("团队人数已达本周期上限%(max)d人（含负责人），不能再添加成员。") % {
            "max": team.cycle.team_size_max})


def team_size_problem(team: Team) -> str | None:
    size = TeamMembership.objects.filter(team=team).count()
    cycle = team.cycle
    if not cycle.team_size_min <= size <= cycle.team_size_max:
        return str(_("团队现有%(size)d人，本周期要求%(min)d至%(max)d人（含负责人）。") % {
            "size": size, "min": cycle.team_size_min, "max": cycle.team_size_max})
    return None


# --------------------------------------------------------------------------
# Commissioners
# --------------------------------------------------------------------------

def _build_commissioner(*, id_number: str, user=None, **fields) -> Commissioner:
    try:
        number = clean_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages})
    if find_by_id_number(number):
        raise ValidationError({"id_number": _("该身份证号码已在特派员库中登记，请勿重复登记。")})
    commissioner = Commissioner(user=user, **{k: v for k, v in fields.items() if k in COMMISSIONER_FIELDS})
    commissioner.phone = normalize_phone(commissioner.phone)
    commissioner.set_id_number(number)
    commissioner.full_clean()
    return commissioner


@transaction.atomic
def commissioner_create(*, actor, id_number: str, **fields) -> Commissioner:
    """Register a person in the commissioner registry (a unit for its own people, or an S&T official)."""
    if not (is_unrestricted(actor) or actor.role in IMPORTERS):
        raise PermissionDenied(_("您的角色不能登记特派员。"))
    if actor.role == Role.UNIT and fields.get("unit") and fields["unit"].pk != actor.unit_id:
        raise PermissionDenied(_("派出单位只能登记本单位人员。"))
    commissioner = _build_commissioner(id_number=id_number, **fields)
    commissioner.save()
    return commissioner


@transaction.atomic
def commissioner_update(*, actor, commissioner: Commissioner, **fields) -> Commissioner:
    """Edit a person's registry entry (the person, their unit or their team leader); the ID number stays."""
    if not can(actor, commissioner, CHANGE):
        raise PermissionDenied(_("您无权修改该特派员信息。"))
    keeper = is_unrestricted(actor) or actor.role == Role.UNIT or commissioner.user_id == actor.pk
    for name, value in fields.items():
        if name not in COMMISSIONER_FIELDS:
            continue
        current = getattr(commissioner, name)
        changed = normalize_phone(value or "") != normalize_phone(current) if name == "phone" else value != current
        if name in IDENTITY_FIELDS and not keeper and changed:
            # A team leader keeps the members' professional details; who they are and how to reach them is
            # theirs and their dispatching unit's to change.
            raise ValidationError({name: _("%(f)s只能由本人或其派出单位修改。") % {
                "f": Commissioner._meta.get_field(name).verbose_name}})
        setattr(commissioner, name, value)
    commissioner.phone = normalize_phone(commissioner.phone)
    commissioner.full_clean()
    commissioner.save()
    return commissioner


@transaction.atomic
def commissioner_verify(*, actor, commissioner: Commissioner) -> Commissioner:
    """The person's dispatching unit or the organizer of a call their team applied to confirms the account."""
    from teams.selectors import may_verify

    if actor.role not in {Role.UNIT, Role.CITY_ST, Role.COUNTY_ST, Role.ADMIN} or \
            (commissioner.user_id == actor.pk and not is_unrestricted(actor)) or \
            not may_verify(actor, commissioner):
        raise PermissionDenied(_("只有特派员的派出单位或征集组织单位可以核验账号。"))
    if commissioner.verified_at:
        raise ValidationError(_("该账号已核验。"))
    commissioner.verified_at = timezone.now()
    commissioner.verified_by = actor
    commissioner._change_reason = str(_("账号核验"))
    commissioner.save(update_fields=["verified_at", "verified_by", "updated_at"])
    if commissioner.user_id:
        from accounts.services import notify

        notify(recipients=[commissioner.user], title=_("您的账号已通过核验"),
               body=_("%(who)s已核验您的身份，您的申报可以进入审核。") % {"who": actor.full_name or actor.username})
    return commissioner


# --------------------------------------------------------------------------
# Teams and members
# --------------------------------------------------------------------------

def _check_team_editable(actor, team: Team) -> None:
    from teams.selectors import team_locked

    if not can(actor, team, CHANGE):
        raise PermissionDenied(_("只有本团队负责人可以修改团队。"))
    if team_locked(team):
        raise ValidationError(_("团队的申报正在审核中，暂不能修改团队成员。如需修改，请先撤回申报或等待退回。"))


@transaction.atomic
def team_update(*, actor, team: Team, respect_lock: bool = False, **fields) -> Team:
    """The leader edits the team's name, summary, expertise, research directions and service types.

    ``respect_lock`` refuses the edit while the team's application is under review (the administrator's admin form
    edits every field, people included, so it keeps the lock the member pages keep)."""
    if respect_lock:
        _check_team_editable(actor, team)
    if not can(actor, team, CHANGE):
        raise PermissionDenied(_("只有本团队负责人可以修改团队。"))
    for name, value in fields.items():
        if name in TEAM_FIELDS:
            setattr(team, name, value)
    unknown = [value for value in team.service_types if value not in ServiceType.values]
    if unknown:
        raise ValidationError({"service_types": _("未知的服务类型：%(v)s") % {"v": "、".join(unknown)}})
    team.full_clean()
    team.save()
    return team


def _add_membership(*, team: Team, commissioner: Commissioner, role: str) -> TeamMembership:
    other = _other_team(commissioner, team.cycle, team)
    if other is not None:
        raise ValidationError({"id_number": _("%(name)s已是本周期“%(team)s”的成员，同一人不能同时加入两个团队。") % {
            "name": commissioner.name, "team": other.name}})
    if TeamMembership.objects.filter(team=team, commissioner=commissioner).exists():
        raise ValidationError({"id_number": _("%(name)s已在本团队中。") % {"name": commissioner.name}})
    problems = eligibility_problems(commissioner, team.cycle, exclude_team=team)
    if problems:
        raise ValidationError(problems)
    membership = TeamMembership(team=team, commissioner=commissioner, cycle=team.cycle, role=role)
    membership.full_clean(validate_constraints=False)
    membership.save()
    return membership


@transaction.atomic
def membership_save(*, actor, membership: TeamMembership, reason: str = "") -> TeamMembership:
    """A membership written outside the member pages (the administrator's admin): the team's rules hold — not while the
    team is locked; a new member within the team's size, one team per person per cycle, eligible."""
    _check_team_editable(actor, membership.team)
    if membership.pk is not None:
        return record_save(actor=actor, instance=membership, reason=reason)
    _check_size_room(membership.team)
    return _add_membership(team=membership.team, commissioner=membership.commissioner, role=membership.role)


def _member_username(phone: str) -> str:
    return "tp" + normalize_phone(phone)


@transaction.atomic
def team_member_add(*, actor, team: Team, id_number: str, create_account: bool = True,
                    **fields) -> tuple[TeamMembership, str | None]:
    """The leader adds a member: a new registry entry (or the existing one with that ID number) and an account.

    Returns the membership and the member's initial password (None when no account was made).
    """
    _check_team_editable(actor, team)
    _check_size_room(team)
    try:
        number = clean_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages})
    commissioner = find_by_id_number(number)
    if commissioner is None:
        commissioner = _build_commissioner(id_number=number, **fields)
        commissioner.save()
    elif ((fields.get("name") or "").strip() != commissioner.name
          or normalize_phone(fields.get("phone") or "") != normalize_phone(commissioner.phone)):
        # An ID number alone does not bring someone's registry entry into a team: the leader must also know the
        # name and mobile number registered for them. Nothing of the entry is disclosed either way.
        raise ValidationError({"id_number": _("该身份证号码已在特派员库登记，但姓名或手机号码与登记信息不一致。"
                                              "请核对；如登记信息有误，请联系其本人或派出单位更正。")})
    membership = _add_membership(team=team, commissioner=commissioner, role=MemberRole.MEMBER)
    password = None
    if create_account and commissioner.user_id is None:
        from accounts.models import User
        from accounts.services import user_create

        username = _member_username(commissioner.phone)
        if User.objects.filter(username=username).exists():
            raise ValidationError({"phone": _("手机号码%(phone)s已注册平台账号，请核对。") % {"phone": commissioner.phone}})
        user, password = user_create(actor=actor, username=username, role=Role.TEAM_MEMBER,
                                     full_name=commissioner.name, phone=commissioner.phone, team=team,
                                     organization=commissioner.unit.name)
        commissioner.user = user
        commissioner.save(update_fields=["user", "updated_at"])
    return membership, password


@transaction.atomic
def team_member_remove(*, actor, membership: TeamMembership) -> None:
    """The leader removes a member (never the leader); the member's account leaves the team."""
    _check_team_editable(actor, membership.team)
    if membership.role == MemberRole.LEADER:
        raise ValidationError(_("不能移除团队负责人。"))
    user = membership.commissioner.user
    membership.delete()
    if user is not None and user.team_id == membership.team_id and user.role == Role.TEAM_MEMBER:
        user.is_active = False
        user.save(update_fields=["is_active"])


@transaction.atomic
def team_create(*, actor, cycle, name: str, lead_unit: DispatchingUnit, leader: Commissioner,
                members=(), **fields) -> Team:
    """A team with its leader and members, checked against the cycle's size and eligibility rules. Registered by the
    S&T offices (the teams import) or the system administrator; leaders otherwise sign up with their application."""
    if not (is_unrestricted(actor) or actor.role in TEAM_IMPORTERS):
        raise PermissionDenied(_("您的角色不能登记团队。"))
    lead_unit.check_active("新增团队")  # an archived (停用) unit leads no new team
    team = Team(cycle=cycle, name=(name or "").strip(), lead_unit=lead_unit, leader_name=leader.name,
                **{k: v for k, v in fields.items() if k in TEAM_FIELDS and k != "name"})
    if Team.objects.filter(cycle=cycle, name=team.name).exists():
        raise ValidationError({"team_name": _("本周期已有名为“%(name)s”的团队。") % {"name": team.name}})
    team.full_clean()
    team.save()
    _add_membership(team=team, commissioner=leader, role=MemberRole.LEADER)
    for member in members:
        _add_membership(team=team, commissioner=member, role=MemberRole.MEMBER)
    return team


# --------------------------------------------------------------------------
# Excel import: all rows or none
# --------------------------------------------------------------------------

@dataclass
class ImportReport:
    """Outcome of an all-or-nothing import: rows saved, or the errors that stopped it."""

    saved: int
    errors: list


def _pairs(choices):
    return [(value, str(label)) for value, label in choices]


def commissioner_columns() -> list[ColumnSpec]:
    return [
        ColumnSpec(key="name", header="姓名", max_length=50),
        ColumnSpec(key="gender", header="性别", kind="choice", choices=_pairs(Gender.choices)),
        ColumnSpec(key="id_number", header="身份证号码", aliases=("身份证号", "公民身份号码"), kind="code",
                   help_text="18位，按文本填写"),
        ColumnSpec(key="phone", header="手机号码", aliases=("联系电话", "手机"), kind="code"),
        ColumnSpec(key="unit", header="派出单位", aliases=("工作单位", "单位"), help_text="须为平台已登记的派出单位全称"),
        ColumnSpec(key="title", header="职称", required=False, max_length=50),
        ColumnSpec(key="title_level", header="职称级别", required=False, kind="choice", choices=_pairs(TitleLevel.choices)),
        ColumnSpec(key="education", header="学历", kind="choice", choices=_pairs(Education.choices)),
        ColumnSpec(key="specialty", header="专业领域", required=False, max_length=100),
        ColumnSpec(key="expertise_keywords", header="专长关键词", required=False, max_length=200),
        ColumnSpec(key="bio", header="个人简介", required=False),
        ColumnSpec(key="in_work_team", header="是否驻镇工作队队员", required=False, kind="choice",
                   choices=[("是", "是"), ("否", "否")]),
    ]


@transaction.atomic
def commissioners_import(*, actor, file, filename: str) -> ImportReport:
    """Import people into the registry: every row is checked, then all rows or none are saved."""
    if not (is_unrestricted(actor) or actor.role in IMPORTERS):
        raise PermissionDenied(_("您的角色不能导入特派员。"))
    parsed = read_table(file, filename=filename, columns=commissioner_columns(), max_rows=settings.IMPORT_MAX_ROWS)
    errors = list(parsed.errors)
    if errors and not parsed.rows:
        return ImportReport(saved=0, errors=errors)
    units = {unit.name: unit for unit in DispatchingUnit.objects.all()}
    seen: dict[str, int] = {}
    built = []
    for row, line in zip(parsed.rows, parsed.row_numbers):
        unit = units.get((row.get("unit") or "").strip())
        if unit is None:
            errors.append(RowError(line, "派出单位", str(_("未登记的派出单位“%(u)s”") % {"u": row.get("unit")})))
            continue
        if unit.is_archived:
            errors.append(RowError(line, "派出单位", str(_("派出单位“%(u)s”已停用，不能登记特派员") % {"u": unit.name})))
            continue
        if actor.role == Role.UNIT and unit.pk != actor.unit_id:
            errors.append(RowError(line, "派出单位", str(_("只能导入本单位人员"))))
            continue
        number = normalize_id_number(row.get("id_number"))
        if number in seen:
            errors.append(RowError(line, "身份证号码", str(_("与第%(row)d行重复") % {"row": seen[number]})))
            continue
        seen[number] = line
        fields = {key: row.get(key) or "" for key in COMMISSIONER_FIELDS if key not in ("unit", "in_work_team")}
        fields["title_level"] = fields["title_level"] or TitleLevel.NONE
        try:
            built.append(_build_commissioner(id_number=number, unit=unit, in_work_team=row.get("in_work_team") == "是",
                                             **fields))
        except ValidationError as error:
            headers = {"id_number": "身份证号码", "phone": "手机号码", "name": "姓名"}
            for field, messages in error.message_dict.items():
                errors.append(RowError(line, headers.get(field, field if field != "__all__" else None),
                                       "；".join(messages)))
    if errors:
        transaction.set_rollback(True)
        return ImportReport(saved=0, errors=errors)
    for commissioner in built:
        commissioner._change_reason = ("导入 %s" % filename)[:100]
        commissioner.save()
    return ImportReport(saved=len(built), errors=[])


def team_columns() -> list[ColumnSpec]:
    return [
        ColumnSpec(key="name", header="团队名称", max_length=100),
        ColumnSpec(key="lead_unit", header="牵头派出单位", aliases=("牵头单位",)),
        ColumnSpec(key="leader", header="负责人身份证号码", aliases=("负责人身份证号",), kind="code",
                   help_text="负责人须已在特派员库中登记"),
        ColumnSpec(key="members", header="成员身份证号码", aliases=("成员身份证号",), kind="multi", required=False,
                   help_text="多个用“、”分隔；成员须已在特派员库中登记"),
        ColumnSpec(key="service_types", header="服务类型", kind="multi", required=False,
                   choices=_pairs(ServiceType.choices)),
        ColumnSpec(key="expertise_summary", header="专长概述", required=False),
        ColumnSpec(key="research_directions", header="研究方向", required=False),
        ColumnSpec(key="summary", header="团队简介", required=False),
    ]


@transaction.atomic
def teams_import(*, actor, cycle, file, filename: str) -> ImportReport:
    """Import teams of registered commissioners for a cycle: size, eligibility and one team per person are checked
    for every row, then all teams or none are saved. No accounts are made (leaders sign up or are given accounts)."""
    if not (is_unrestricted(actor) or actor.role in TEAM_IMPORTERS):
        raise PermissionDenied(_("您的角色不能导入团队。"))
    parsed = read_table(file, filename=filename, columns=team_columns(), max_rows=settings.IMPORT_MAX_ROWS)
    errors = list(parsed.errors)
    if errors and not parsed.rows:
        return ImportReport(saved=0, errors=errors)
    units = {unit.name: unit for unit in DispatchingUnit.objects.all()}
    names_seen: dict[str, int] = {}
    people_seen: dict[str, int] = {}
    saved = 0
    for row, line in zip(parsed.rows, parsed.row_numbers):
        row_errors = []
        name = (row.get("name") or "").strip()
        if name in names_seen:
            row_errors.append(RowError(line, "团队名称", str(_("与第%(row)d行重复") % {"row": names_seen[name]})))
        elif Team.objects.filter(cycle=cycle, name=name).exists():
            row_errors.append(RowError(line, "团队名称", str(_("本周期已有名为“%(n)s”的团队") % {"n": name})))
        names_seen.setdefault(name, line)
        unit = units.get((row.get("lead_unit") or "").strip())
        if unit is None:
            row_errors.append(RowError(line, "牵头派出单位", str(_("未登记的派出单位“%(u)s”") % {"u": row.get("lead_unit")})))
        elif unit.is_archived:
            row_errors.append(RowError(line, "牵头派出单位", str(_("派出单位“%(u)s”已停用，不能新增团队") % {"u": unit.name})))
        people = []
        for header, numbers in (("负责人身份证号码", [row.get("leader")]), ("成员身份证号码", row.get("members") or [])):
            for number in numbers:
                number = normalize_id_number(number)
                try:
                    validate_id_number(number)
                except ValidationError as error:
                    row_errors.append(RowError(line, header, "%s：%s" % (number, "；".join(error.messages))))
                    continue
                person = find_by_id_number(number)
                if person is None:
                    row_errors.append(RowError(line, header, str(_("身份证号码%(n)s未在特派员库中登记") % {"n": number})))
                    continue
                if number in people_seen:
                    row_errors.append(RowError(line, header, str(_("%(name)s已在第%(row)d行的团队中，同一人不能同时加入两个团队") % {
                        "name": person.name, "row": people_seen[number]})))
                    continue
                people_seen[number] = line
                other = _other_team(person, cycle, None)
                if other is not None:
                    row_errors.append(RowError(line, header, str(_("%(name)s已是本周期“%(team)s”的成员，同一人不能同时加入两个团队") % {
                        "name": person.name, "team": other.name})))
                    continue
                for problem in eligibility_problems(person, cycle):
                    row_errors.append(RowError(line, header, problem))
                people.append(person)
        size = 1 + len(row.get("members") or [])
        if not cycle.team_size_min <= size <= cycle.team_size_max:
            row_errors.append(RowError(line, "成员身份证号码", str(_("团队共%(size)d人，本周期要求%(min)d至%(max)d人（含负责人）") % {
                "size": size, "min": cycle.team_size_min, "max": cycle.team_size_max})))
        if row_errors:
            errors.extend(row_errors)
            continue
        if errors:
            continue
        try:
            team_create(actor=actor, cycle=cycle, name=name, lead_unit=unit, leader=people[0], members=people[1:],
                        service_types=row.get("service_types") or [],
                        **{key: row.get(key) or "" for key in ("expertise_summary", "research_directions", "summary")})
            saved += 1
        except ValidationError as error:
            errors.append(RowError(line, None, "；".join(error.messages)))
    if errors:
        transaction.set_rollback(True)
        return ImportReport(saved=0, errors=errors)
    return ImportReport(saved=saved, errors=[])
