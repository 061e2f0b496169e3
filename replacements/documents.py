"""The documents of adjustment and replacement in the official layout (core.documents, GB/T 9704-2012): the decision
(决定书) on a case and the re-registration letter (备案函) of a member change, each as DOCX and PDF."""
from __future__ import annotations

from django.utils import timezone

from core.documents import official_docx, official_pdf
from replacements.choices import Decision, FundingAction

DOCUMENT_DECISIONS = (Decision.WARNING, Decision.ADJUSTMENT, Decision.REPLACEMENT)


def organizer_name(record) -> str:
    """The organizing level's area: 仁化县 for a county pairing, 韶关市 for a city one, 广东省 for the province."""
    town = record.home_town
    if record.organizer_level == "county":
        return town.county.name
    if record.organizer_level == "city":
        return town.county.city.name
    return town.county.city.province_name or "广东省"


def issuing_body(record) -> str:
    if record.organizer_level == "province":
        return "%s科学技术厅" % organizer_name(record)
    return "%s科学技术局" % organizer_name(record)


def has_decision_document(case) -> bool:
    return case.status == "decided" and case.decision in DOCUMENT_DECISIONS


def decision_title(case) -> str:
    if case.decision == Decision.REPLACEMENT:
        return "关于调整更换%s农村科技特派员团队的决定" % case.home_town.name
    if case.decision == Decision.ADJUSTMENT:
        return "关于调整%s农村科技特派员团队的决定" % case.home_town.name
    return "关于对%s农村科技特派员团队予以警示提醒的决定" % case.home_town.name


def _evidence_sentence(evidence: dict) -> str:
    days = evidence.get("days") or {}
    acts = evidence.get("activities") or {}
    flags = evidence.get("flags") or []
    parts = []
    if days:
        parts.append("截至%s，团队累计驻镇%s天（本周期应驻镇%s天，按进度此时应达%s天）" % (
            evidence.get("as_of", ""), days.get("counted", 0), days.get("required", 0), days.get("expected_now", 0)))
    if acts:
        parts.append("经确认的服务活动%s次，其中近90天%s次" % (acts.get("confirmed", 0), acts.get("last_90_days", 0)))
    if flags:
        parts.append("平台共记录履职预警%d条（其中驻镇工作队反映不配合%d条）" % (
            len(flags), evidence.get("noncooperation_reports", 0)))
    return "；".join(parts) + "。" if parts else ""


def _summarize(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "……"


def decision_paragraphs(case, *, grants=()) -> list[str]:
    team, town = case.team.name, case.home_town.full_name
    paragraphs = [
        "根据《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号）有关要求，我局对%s农村科技特派员团队"
        "（%s）在%s的帮扶工作进行了调查。现将有关情况和处理决定通知如下：" % (
            case.cycle.name, team, town),
        "一、基本情况",
        "调查事由：%s。%s" % (case.get_cause_display(), _summarize(case.summary, 600)),
    ]
    facts = _evidence_sentence(case.evidence or {})
    if facts:
        paragraphs.append("平台记录显示：" + facts)
    paragraphs.append("二、团队答复")
    if case.answer:
        paragraphs.append("团队于%s答复：%s" % (
            timezone.localtime(case.answered_at).date().isoformat() if case.answered_at else "", _summarize(case.answer)))
    else:
        paragraphs.append("团队在答复期限（%s）内未作答复。" % case.answer_due.isoformat())
    paragraphs.append("三、处理决定")
    paragraphs.append("经研究，决定对%s予以%s。理由：%s" % (team, case.get_decision_display(),
                                                       _summarize(case.decision_reason, 600)))
    if case.decision == Decision.REPLACEMENT:
        paragraphs.append("（一）原结对于%s结束，原团队在此之前的帮扶记录和数据予以保留。" % (
            case.end_date.isoformat() if case.end_date else ""))
        if case.new_pairing_id:
            paragraphs.append("（二）由备选团队%s递补%s，按程序重新公示和备案后开展帮扶。" % (
                case.new_pairing.team.name, case.home_town.name))
        else:
            paragraphs.append("（二）%s的农村科技特派员团队通过重新公开征集确定。" % case.home_town.name)
        if case.funding_action == FundingAction.STOPPED:
            paragraphs.append("（三）原团队尚未拨付的帮扶资金停止拨付，已拨付资金按规定使用和核算。")
        elif case.funding_action == FundingAction.SETTLED:
            paragraphs.append("（三）原团队的帮扶资金予以结算，结算金额合计%s元。" % (
                "{:,.2f}".format(case.settled_amount) if case.settled_amount is not None else "—"))
        else:
            paragraphs.append("（三）原团队无尚未结清的帮扶资金。")
        for grant in grants:
            paragraphs.append("%s：%s" % (grant.project_number, grant.get_closure_display() or "—"))
    elif case.decision == Decision.ADJUSTMENT:
        paragraphs.append("团队应按要求调整成员或帮扶项目，调整情况报我局备案。")
    else:
        paragraphs.append("团队应认真整改，严格落实驻镇帮扶工作要求；整改不到位的，将按规定调整更换。")
    return paragraphs


def _decision_kwargs(case, grants=()) -> dict:
    decided = timezone.localtime(case.decided_at).date() if case.decided_at else timezone.localdate()
    return {"issuer": issuing_body(case) + "文件", "doc_number": case.doc_number or "", "title": decision_title(case),
            "recipients": "%s、%s、%s人民政府" % (case.team.name, case.team.lead_unit.name if case.team.lead_unit_id else "",
                                              case.home_town.name),
            "paragraphs": decision_paragraphs(case, grants=grants), "signature": issuing_body(case) + "（印章）",
            "date": decided}


def decision_docx(case, grants=()) -> bytes:
    return official_docx(**_decision_kwargs(case, grants))


def decision_pdf(case, grants=()) -> bytes:
    return official_pdf(**_decision_kwargs(case, grants))


# ------------------------------------------------------------------------------------------------ member changes
def letter_title(change) -> str:
    return "关于%s成员变更的备案函" % change.team.name


def letter_recipient(change) -> str:
    city = change.home_town.county.city
    if change.organizer_level == "county":
        return "%s科学技术局、%s科学技术厅" % (city.name, city.province_name or "广东省")
    return "%s科学技术厅" % (city.province_name or "广东省")


def letter_paragraphs(change) -> list[str]:
    parts = []
    if change.leaving_id:
        parts.append("%s退出团队" % change.leaving.name)
    if change.joining_id:
        parts.append("%s（%s）加入团队" % (change.joining.name, change.joining.unit.name if change.joining.unit_id else ""))
    paragraphs = [
        "我局组织选派的%s（结对%s，%s）因%s，自%s起成员变更如下：%s。" % (
            change.team.name, change.home_town.full_name, change.cycle.name, change.reason.rstrip("。"),
            change.effective_date.isoformat(), "；".join(parts) or "—"),
        "变更前团队共%d人，变更后共%d人，符合本周期团队人数要求。" % (change.size_before, change.size_after),
    ]
    if change.case_id:
        paragraphs.append("本次变更依据调整更换案件的处理决定办理（%s）。" % (change.case.doc_number or change.case))
    paragraphs.append("妥否，请予备案。")
    return paragraphs


def _letter_kwargs(change) -> dict:
    return {"issuer": issuing_body(change), "doc_number": "", "title": letter_title(change),
            "recipients": letter_recipient(change), "paragraphs": letter_paragraphs(change),
            "signature": issuing_body(change) + "（印章）", "date": timezone.localtime(change.created_at).date()}


def letter_docx(change) -> bytes:
    return official_docx(**_letter_kwargs(change))


def letter_pdf(change) -> bytes:
    return official_pdf(**_letter_kwargs(change))
