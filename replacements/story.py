"""A town's and a team's story: cases (调整更换), member changes, and the figures a pairing closed with."""
from __future__ import annotations

from django.utils import timezone

from core.scoping import VIEW, restrict
from core.story import StoryEvent, story_source


def _subject_q(kind: str, subject) -> dict:
    return {"home_town": subject} if kind == "town" else {"team": subject}


@story_source
def case_events(subject, user, kind):
    from replacements.models import Case, MemberChange, PairingFigures

    events = []
    cases = restrict(Case.objects.filter(**_subject_q(kind, subject)), user, VIEW).select_related(
        "team", "home_town", "new_pairing__team").order_by("-opened_at")[:100]
    for case in cases:
        opened = timezone.localtime(case.opened_at).date() if case.opened_at else case.created_at.date()
        events.append(StoryEvent(
            date=opened, category="case", cycle_id=case.cycle_id, url=case.get_absolute_url(), level="warning",
            title="发起调整更换调查：%s" % case.get_cause_display(),
            detail="%s · %s" % (case.team.name, case.summary[:80])))
        if case.decided_at:
            detail = case.decision_reason[:80]
            if case.decision == "replacement":
                detail = "原结对截止%s；%s" % (case.end_date, ("由“%s”递补" % case.new_pairing.team.name)
                                             if case.new_pairing_id else "重新征集新团队")
            events.append(StoryEvent(
                date=timezone.localtime(case.decided_at).date(), category="case", cycle_id=case.cycle_id,
                url=case.get_absolute_url(), level="danger" if case.decision == "replacement" else "warning",
                title="调整更换决定：%s（%s）" % (case.get_decision_display(), case.team.name), detail=detail))
    changes = restrict(MemberChange.objects.filter(**_subject_q(kind, subject)), user, VIEW).select_related(
        "team", "leaving", "joining").order_by("-effective_date")[:100]
    for change in changes:
        events.append(StoryEvent(date=change.effective_date, category="member", cycle_id=change.cycle_id,
                                 url=change.get_absolute_url(), title="团队成员变更：%s" % change.team.name,
                                 detail="%s（%s）" % (str(change).split("：", 1)[-1], change.get_status_display())))
    where = {"town": subject} if kind == "town" else {"team": subject}
    for figures in restrict(PairingFigures.objects.filter(**where), user, VIEW).select_related("team")[:20]:
        events.append(StoryEvent(
            date=figures.ended_on, category="pairing", cycle_id=figures.cycle_id, url=figures.get_absolute_url(),
            title="结对数据封存：%s" % figures.team.name,
            detail="%s，截至%s的数据已封存" % (figures.get_outcome_display(), figures.ended_on),
            figures={"驻镇人天": figures.stationed_days, "服务活动": figures.activities,
                     "帮扶项目": figures.projects, "资助金额（元）": "{:,.0f}".format(figures.granted)}))
    return events
