"""Writes of the evaluations app: annual evaluations (drafted, generated for every person, submitted, reopened),
rewards with their award document, training events with their attendees and materials.

Every function takes ``actor=``, checks the role and the scope before it saves (only a dispatching unit, for its own
people — ``core.scoping.may_write``; the system administrator too), validates the whole input with Chinese messages
naming the field (nothing half-saved: one transaction), moves the evaluation's status only through
``EVALUATION_WORKFLOW`` and tells the person.
"""
from __future__ import annotations

import datetime as dt
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import notify
from core.fields import upload_size_error
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, can, may_write
from core.services import unchanged
from core.workflow import apply_transition, record_creation
from evaluations import selectors
from evaluations.choices import EVALUATION_WORKFLOW, MATERIALS_MAX, EvaluationStatus, Grade, RewardLevel
from evaluations.models import YEAR_MIN, Evaluation, Reward, Training, TrainingMaterial
from teams.models import Commissioner, TeamMembership

EVALUATION_FIELDS = ["grade", "comments", "evaluator", "evaluated_on"]
REWARD_FIELDS = ["commissioner", "team", "date", "title", "level", "grounds"]
TRAINING_FIELDS = ["kind", "date", "topic", "place", "hours", "external_attendees", "summary"]
# What an award document or a training material may be, by its first bytes.
DOCUMENT_KINDS = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG"}
OFFICE_EXTENSIONS = ("docx", "xlsx", "pptx")


# ------------------------------------------------------------------------------------------------ helpers
def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _merge(errors: dict, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(error.messages)


def _clean(record, errors: dict, exclude=()) -> None:
    """``full_clean`` except the fields already refused (one message per problem)."""
    exclude = list(exclude) + [name for name in errors if name != "__all__"]
    try:
        record.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        _merge(errors, error)


def _unit_of(actor, what: str):
    """The actor's unit (a system administrator acts for the record's unit: None)."""
    if is_system_admin(actor):
        return None
    if actor.role != Role.UNIT or not actor.unit_id:
        raise PermissionDenied(_("只有派出单位可以%(what)s。") % {"what": what})
    return actor.unit_id


def _own_person(unit_id, commissioner, errors, message) -> None:
    if commissioner is None:
        errors.setdefault("commissioner", []).append(_("请选择特派员。"))
    elif unit_id is not None and commissioner.unit_id != unit_id:
        errors.setdefault("commissioner", []).append(message)


def _locked(model, record):
    return model.objects.select_for_update(of=("self",)).get(pk=record.pk)


def _person_users(commissioner):
    user = commissioner.user if commissioner.user_id else None
    return [user] if user is not None and user.is_active else []


def file_problem(upload, label: str, *, office: bool = False) -> str | None:
    """What is wrong with an uploaded document (naming it), or None: a whole PDF, JPG or PNG (and, for ``office``,
    a Word, Excel or PowerPoint file) within the document size limit, with no web page inside."""
    from projects.services import scan_problem

    problem = upload_size_error(upload, label=label)
    if problem:
        return problem
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = "pdf" if head.startswith(b"%PDF") else "jpeg" if head.startswith(b"\xff\xd8") else \
        "png" if head.startswith(b"\x89PNG") else ""
    if kind:
        return scan_problem(upload, kind, label)
    extension = os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")
    if office and head.startswith(b"PK\x03\x04") and extension in OFFICE_EXTENSIONS:
        return None
    allowed = "PDF、JPG、PNG、Word、Excel或PowerPoint" if office else "PDF、JPG或PNG"
    return _("“%(label)s”应为%(allowed)s文件。") % {"label": label, "allowed": allowed}


# ------------------------------------------------------------------------------------------------ evaluations
def _check_year(year, errors) -> int | None:
    this_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(_("请填写考评年度（如 %(y)d）。") % {"y": this_year})
        return None
    if year < YEAR_MIN or year > this_year:
        errors.setdefault("year", []).append(
            _("考评年度应在%(a)d年至%(b)d年之间（现为%(y)d）。") % {"a": YEAR_MIN, "b": this_year, "y": year})
        return None
    return year


def _check_grade(grade, errors) -> None:
    if grade and grade not in Grade.values:
        errors.setdefault("grade", []).append(
            _("考评等次应为优秀、合格、基本合格或不合格（%(v)s）之一，不能为“%(g)s”。")
            % {"v": "、".join(Grade.values), "g": str(grade)[:20]})


def _place(record, commissioner_id, cycle) -> None:
    """Copy the person's team in ``cycle`` and its pairing onto the record (its organizers read it)."""
    team, pairing = selectors.team_and_pairing(commissioner_id, cycle)
    record.team = team
    record.copy_pairing(pairing)


@transaction.atomic
def evaluation_save(*, actor, values: dict, evaluation: Evaluation | None = None, commissioner=None,
                    year=None) -> Evaluation:
    """Draft the evaluation of one of the unit's people for ``year`` (prefilled with the year's figures), or edit a
    draft. The grade is one of ``Grade``; a person of another unit, a second evaluation of the year, a submitted one
    are refused."""
    unit_id = _unit_of(actor, _("考评特派员"))
    errors: dict = {}
    creating = evaluation is None
    if creating:
        _own_person(unit_id, commissioner, errors, _("只能考评本单位派出的特派员。"))
        year = _check_year(year, errors)
        _raise(errors)
        evaluation = Evaluation(unit_id=commissioner.unit_id, commissioner=commissioner, year=year, created_by=actor)
        cycle = selectors.cycle_for_year(year, commissioner.pk)
        if cycle is None:
            errors.setdefault("year", []).append(_("%(y)d年不在任何帮扶周期内。") % {"y": year})
            _raise(errors)
        evaluation.cycle = cycle
        _place(evaluation, commissioner.pk, cycle)
    else:
        evaluation = _locked(Evaluation, evaluation)
        if not may_write(actor, evaluation, CHANGE):
            raise PermissionDenied(_("只能修改本单位的考评。"))
        if evaluation.status != EvaluationStatus.DRAFT:
            raise ValidationError(_("该考评已提交，不能修改；如需修改请先“退回修改”。"))
    for name in EVALUATION_FIELDS:
        if name in values:
            setattr(evaluation, name, values[name] if values[name] is not None or name == "evaluated_on" else "")
    _check_grade(evaluation.grade, errors)
    if creating or evaluation.status == EvaluationStatus.DRAFT:
        evaluation.figures = selectors.figures([evaluation.commissioner_id], evaluation.year)[evaluation.commissioner_id]
    _clean(evaluation, errors)
    if creating and "year" not in errors and Evaluation.objects.filter(
            unit_id=evaluation.unit_id, commissioner_id=evaluation.commissioner_id, year=evaluation.year).exists():
        errors.setdefault("year", []).append(_("%(n)s的%(y)d年度考评已存在，请在原考评上修改。")
                                             % {"n": evaluation.commissioner.name, "y": evaluation.year})
    _raise(errors)
    if not may_write(actor, evaluation, CHANGE):
        raise PermissionDenied(_("只能考评本单位派出的特派员。"))
    if not creating and unchanged(evaluation):
        return evaluation
    evaluation.save()
    if creating:
        record_creation(obj=evaluation, action="draft", actor=actor)
    return evaluation


@transaction.atomic
def evaluation_act(*, actor, evaluation: Evaluation, action: str, comment: str = "") -> Evaluation:
    """Submit a graded draft (its date defaults to today), or reopen a submitted one with a reason."""
    if not can(actor, evaluation, CHANGE):
        raise PermissionDenied(_("只有本单位可以提交或退回该考评。"))
    evaluation = _locked(Evaluation, evaluation)
    save_fields = []
    if action == "submit" and not evaluation.evaluated_on:
        evaluation.evaluated_on = timezone.localdate()
        save_fields.append("evaluated_on")
    apply_transition(workflow=EVALUATION_WORKFLOW, obj=evaluation, action=action, actor=actor, comment=comment,
                     save_fields=save_fields)
    if action == "submit":
        notify(recipients=_person_users(evaluation.commissioner),
               title=_("%(y)d年度考评结果：%(g)s") % {"y": evaluation.year, "g": evaluation.get_grade_display()},
               body=evaluation.comments[:200], link=evaluation.get_absolute_url())
    return evaluation


@transaction.atomic
def evaluations_generate(*, actor, year, unit_id=None) -> int:
    """"为全部人员生成考评表": a prefilled draft for every person of the unit without an evaluation of ``year``; how
    many were made."""
    own_unit = _unit_of(actor, _("生成考评表"))
    unit_id = own_unit if own_unit is not None else unit_id
    errors: dict = {}
    year = _check_year(year, errors)
    if unit_id is None:
        errors.setdefault("unit", []).append(_("请选择派出单位。"))
    _raise(errors)
    cycles = list(selectors.cycles_of_year(year).order_by("start_date", "pk"))
    if not cycles:
        raise ValidationError({"year": [_("%(y)d年不在任何帮扶周期内。") % {"y": year}]})
    done = Evaluation.objects.filter(unit_id=unit_id, year=year).values("commissioner_id")
    people = list(Commissioner.objects.filter(unit_id=unit_id).exclude(pk__in=done).order_by("name", "pk"))
    if not people:
        return 0
    ids = [person.pk for person in people]
    # Each person's latest cycle of the year with a team, its team and pairing: a few queries for everyone.
    memberships = {}
    for row in (TeamMembership.objects.filter(commissioner_id__in=ids, cycle__in=cycles)
                .select_related("team", "cycle").order_by("cycle__start_date", "pk")):
        memberships[row.commissioner_id] = row
    pairings = {}
    for cycle in cycles:
        teams = [row.team_id for row in memberships.values() if row.cycle_id == cycle.pk]
        pairings.update(selectors.team_pairings(teams, cycle))
    counts = selectors.figures(ids, year)
    latest = cycles[-1]
    for person in people:
        membership = memberships.get(person.pk)
        evaluation = Evaluation(unit_id=unit_id, commissioner=person, year=year, created_by=actor,
                                cycle=membership.cycle if membership else latest,
                                team=membership.team if membership else None, figures=counts[person.pk])
        evaluation.copy_pairing(pairings.get(membership.team_id) if membership else None)
        if not may_write(actor, evaluation, CHANGE):
            raise PermissionDenied(_("只能考评本单位派出的特派员。"))
        try:
            evaluation.full_clean(validate_constraints=False)
        except ValidationError as error:
            raise ValidationError(_("%(n)s：%(e)s") % {"n": person.name, "e": "；".join(error.messages)})
        evaluation.save()
        record_creation(obj=evaluation, action="draft", actor=actor)
    return len(people)


# ------------------------------------------------------------------------------------------------ rewards
def _reward_team(reward, errors) -> None:
    """The team given must be one the person is in; none given: the person's team in the cycle of the date."""
    from cycles.models import Cycle

    if reward.team_id:
        membership = TeamMembership.objects.filter(commissioner_id=reward.commissioner_id, team_id=reward.team_id) \
            .select_related("cycle").first()
        if membership is None:
            errors.setdefault("team", []).append(_("所选团队不是该特派员所在的团队。"))
            return
        cycle = membership.cycle
    else:
        cycle = None
        if reward.date:
            cycle = (Cycle.objects.filter(start_date__lte=reward.date, end_date__gte=reward.date,
                                          pk__in=TeamMembership.objects.filter(commissioner_id=reward.commissioner_id)
                                          .values("cycle_id")).order_by("-start_date").first())
        if cycle is None:
            reward.copy_pairing(None)
            return
        reward.team, _pairing = selectors.team_and_pairing(reward.commissioner_id, cycle)
    reward.copy_pairing(selectors.team_pairings([reward.team_id], cycle).get(reward.team_id))


@transaction.atomic
def reward_save(*, actor, values: dict, reward: Reward | None = None, document=None) -> Reward:
    """Record (or edit) a reward of one of the unit's people, with its award document (PDF, JPG or PNG)."""
    unit_id = _unit_of(actor, _("记录奖励"))
    creating = reward is None
    if creating:
        reward = Reward(created_by=actor)
    else:
        reward = _locked(Reward, reward)
        if not may_write(actor, reward, CHANGE):
            raise PermissionDenied(_("只能修改本单位的奖励记录。"))
    errors: dict = {}
    for name in REWARD_FIELDS:
        if name in values:
            setattr(reward, name, values[name])
    commissioner = reward.commissioner if reward.commissioner_id else None
    _own_person(unit_id, commissioner, errors, _("只能为本单位派出的特派员记录奖励。"))
    if reward.level and reward.level not in RewardLevel.values:
        errors.setdefault("level", []).append(_("奖励级别应为单位级、县级、市级、省级或国家级。"))
    if commissioner is not None and "commissioner" not in errors:
        reward.unit_id = commissioner.unit_id
        _reward_team(reward, errors)
    if document:
        problem = file_problem(document, _("奖励文件"))
        if problem:
            errors.setdefault("document", []).append(problem)
    _clean(reward, errors, exclude=["document"])
    _raise(errors)
    if not may_write(actor, reward, CHANGE):
        raise PermissionDenied(_("只能为本单位派出的特派员记录奖励。"))
    if not creating and unchanged(reward) and not document:
        return reward
    if document:
        reward.document_name = (getattr(document, "name", "") or "")[-200:]
        reward.document.save(document.name or "document", document, save=False)
    reward.save()
    if creating:
        notify(recipients=_person_users(reward.commissioner), title=_("奖励已记录：%(t)s") % {"t": reward.title},
               body=_("%(u)s记录了您获得的%(l)s奖励。") % {"u": reward.unit, "l": reward.get_level_display()},
               link=reward.get_absolute_url())
    return reward


# ------------------------------------------------------------------------------------------------ trainings
def _materials(training, uploads, errors) -> list:
    uploads = [upload for upload in (uploads or []) if upload]
    if not uploads:
        return []
    existing = training.materials.count() if training.pk else 0
    if existing + len(uploads) > MATERIALS_MAX:
        errors.setdefault("materials", []).append(
            _("每次培训交流最多%(m)d份材料（已有%(e)d份，本次%(n)d份）。") % {"m": MATERIALS_MAX, "e": existing,
                                                                "n": len(uploads)})
        return []
    for upload in uploads:
        problem = file_problem(upload, getattr(upload, "name", "") or _("材料"), office=True)
        if problem:
            errors.setdefault("materials", []).append(problem)
    return uploads


def _store_materials(training, uploads) -> None:
    for upload in uploads:
        name = os.path.splitext(os.path.basename(getattr(upload, "name", "") or ""))[0][:100] or _("材料")
        material = TrainingMaterial(training=training, name=name, size=upload.size or 0)
        material.file.save(upload.name or "material", upload, save=False)
        material.full_clean()
        material.save()


@transaction.atomic
def training_save(*, actor, values: dict, training: Training | None = None, attendees=None,
                  materials=()) -> Training:
    """Record (or edit) a training or exchange event of the unit: the attendees are the unit's own people."""
    unit_id = _unit_of(actor, _("记录培训交流"))
    creating = training is None
    if creating:
        training = Training(created_by=actor)
        if unit_id is not None:
            training.unit_id = unit_id
        elif values.get("unit") is not None:  # the system administrator names the unit
            training.unit = values["unit"]
    else:
        training = _locked(Training, training)
        if not may_write(actor, training, CHANGE):
            raise PermissionDenied(_("只能修改本单位的培训交流记录。"))
    errors: dict = {}
    for name in TRAINING_FIELDS:
        if name in values:
            setattr(training, name, values[name])
    if training.date and training.date > timezone.localdate() + dt.timedelta(days=366):
        errors.setdefault("date", []).append(_("日期不能晚于一年以后。"))
    if not training.unit_id:
        errors.setdefault("unit", []).append(_("请选择派出单位。"))
    if attendees is not None and training.unit_id:
        strangers = [person for person in attendees if person.unit_id != training.unit_id]
        if strangers:
            errors.setdefault("attendees", []).append(
                _("参加的特派员须是本单位派出的特派员：%(n)s不是。") % {"n": "、".join(p.name for p in strangers[:10])})
    uploads = _materials(training, materials, errors)
    _clean(training, errors)
    _raise(errors)
    if not may_write(actor, training, CHANGE):
        raise PermissionDenied(_("只能记录本单位的培训交流。"))
    if creating or not unchanged(training):
        training.save()
    if attendees is not None:
        training.attendees.set(attendees)
    _store_materials(training, uploads)
    return training


@transaction.atomic
def material_add(*, actor, training: Training, uploads) -> list:
    training = _locked(Training, training)
    if not can(actor, training, CHANGE):
        raise PermissionDenied(_("只能为本单位的培训交流上传材料。"))
    errors: dict = {}
    uploads = _materials(training, uploads, errors)
    _raise(errors)
    if not uploads:
        raise ValidationError({"materials": [_("请选择要上传的材料。")]})
    _store_materials(training, uploads)
    return uploads


@transaction.atomic
def material_delete(*, actor, material: TrainingMaterial) -> None:
    if not can(actor, material, CHANGE):
        raise PermissionDenied(_("只能删除本单位培训交流的材料。"))
    stored = material.file
    storage, name = stored.storage, stored.name
    material.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)
