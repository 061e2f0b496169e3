"""The registration package for one recipient: the team table (XLSX) and the cover letter (DOCX, GB/T 9704 layout)."""
from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from core.documents import official_docx
from core.excel import SheetData, write_workbook
from matching.models import Pairing
from notices.choices import OPEN_OBJECTION_STATES, ObjectionStatus
from notices.models import Objection
from registrations.choices import Recipient
from registrations.models import RegistrationSubmission
from registrations.selectors import TEAM_TABLE_HEADERS, submission_pairings, team_table_rows


def issuing_body(submission: RegistrationSubmission) -> str:
    """The organizer's S&T department, e.g. 仁化县科学技术局 or 韶关市科学技术局."""
    return "%s科学技术局" % submission.organizer_name


def recipient_body(submission: RegistrationSubmission) -> str:
    if submission.recipient == Recipient.PROVINCE:
        return "%s科学技术厅" % (submission.city.province_name or "广东省")
    return "%s科学技术局" % submission.city.name


def letter_title(submission: RegistrationSubmission) -> str:
    return "关于报送%s农村科技特派员团队选派备案的函" % submission.organizer_name


def table_title(submission: RegistrationSubmission) -> str:
    return "%s农村科技特派员团队选派备案表" % submission.organizer_name


def team_table_xlsx(submission: RegistrationSubmission, *, reveal_phones: bool = True) -> bytes:
    rows = team_table_rows(submission, reveal_phones=reveal_phones)
    return write_workbook([SheetData(title="团队备案表", headers=TEAM_TABLE_HEADERS, rows=rows)])


def _replaced_pairings(pairings) -> dict[int, Pairing]:
    """Every earlier pairing the submission's pairings replaced (递补/更换), following ``replaces`` back: one query
    per generation of replacements (usually one), never one per pairing."""
    found: dict[int, Pairing] = {}
    wanted = {p.replaces_id for p in pairings if p.replaces_id}
    while wanted:
        generation = list(Pairing.objects.filter(pk__in=wanted).select_related("town", "team"))
        found.update((p.pk, p) for p in generation)
        wanted = {p.replaces_id for p in generation if p.replaces_id and p.replaces_id not in found}
    return found


def notice_outcome(pairings) -> str:
    """What the public notices of these pairings came to, in the letter's words, from the records: "……公示期内无异议。"
    or "公示期间共收到异议N件，经核查，k件异议成立，已按程序将……更换为……；m件异议不成立。"

    The objections counted are those filed against the pairings themselves and against the pairings they replaced
    (an upheld objection removes a team and a 递补 team takes its place). One aggregate query for the objections;
    pass the pairings with their team loaded, as ``submission_pairings`` does.
    """
    pairings = list(pairings)
    replaced = _replaced_pairings(pairings)
    replacement_of = {p.replaces_id: p for p in list(pairings) + list(replaced.values()) if p.replaces_id}
    counts = (Objection.objects.filter(entry__pairing_id__in=[p.pk for p in pairings] + list(replaced)).order_by()
              .values("entry__pairing_id", "status").annotate(n=Count("pk")))
    upheld: dict[int, int] = {}
    by_status: dict[str, int] = {}
    for row in counts:
        status, n = row["status"], row["n"]
        by_status[status] = by_status.get(status, 0) + n
        if status == ObjectionStatus.UPHELD:
            upheld[row["entry__pairing_id"]] = upheld.get(row["entry__pairing_id"], 0) + n
    total = sum(by_status.values())

    def swap(old: Pairing) -> str:
        new = replacement_of[old.pk]
        return "将%s原拟选派的%s更换为%s" % (old.town.name, old.team.name, new.team.name)

    in_order = [old for _, old in sorted(replaced.items(), key=lambda item: (item[1].town.code, item[0]))]
    swapped = [old for old in in_order if old.pk in upheld]
    # A replacement for another reason than an upheld objection (a team that withdrew, say) is reported too.
    other_swaps = [old for old in in_order if old.pk not in upheld]
    if not total:
        sentence = "经公开征集、遴选和公示，公示期内无异议。"
    else:
        clauses = []
        if by_status.get(ObjectionStatus.UPHELD):
            clause = "%d件%s" % (by_status[ObjectionStatus.UPHELD], ObjectionStatus.UPHELD.label)
            if swapped:
                clause += "，已按程序" + "、".join(swap(old) for old in swapped)
            clauses.append(clause)
        if by_status.get(ObjectionStatus.DISMISSED):
            clauses.append("%d件%s" % (by_status[ObjectionStatus.DISMISSED], ObjectionStatus.DISMISSED.label))
        still_open = sum(by_status.get(status, 0) for status in OPEN_OBJECTION_STATES)
        if still_open:
            clauses.append("%d件尚在%s" % (still_open, ObjectionStatus.INVESTIGATING.label))
        sentence = "经公开征集、遴选，并按程序进行公示。公示期间共收到异议%d件，经核查，%s。" % (total, "；".join(clauses))
    if other_swaps:
        sentence += "另，已按程序%s。" % "、".join(swap(old) for old in other_swaps)
    return sentence


def letter_paragraphs(submission: RegistrationSubmission) -> list[str]:
    pairings = list(submission_pairings(submission))
    count = len(pairings)
    people = sum(len(pairing.team.people) for pairing in pairings)
    names = [pairing.town.name for pairing in pairings]
    towns = "、".join(names[:6]) + ("等" if len(names) > 6 else "")
    addressee = "贵厅" if submission.recipient == Recipient.PROVINCE else "贵局"
    if submission.organizer_level == "city":
        scope = "我局组织开展了市级组团帮扶重点帮扶镇的农村科技特派员团队公开征集和遴选工作"
    else:
        scope = "我局按照属地原则，组织开展了本地县级组团帮扶镇（街道）的农村科技特派员团队公开征集和遴选工作"
    paragraphs = [
        "根据《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号）有关要求，%s。%s"
        "现将%s%d个农村科技特派员团队选派情况报送%s备案。" % (scope, notice_outcome(pairings), submission.cycle.name, count,
                                                           addressee),
        "一、选派情况",
        "本次共选派农村科技特派员团队%d个、团队成员%d人，与%s%d个镇（乡、街道）一对一结对帮扶。"
        "团队名单及基本情况详见附件。" % (count, people, towns, count),
        "二、下一步工作",
        "各团队将主动对接所驻镇及驻镇工作队，签订帮扶协议，结合镇域科技需求凝练帮扶项目，在备案后%d日内报送科技部门。"
        "我局将加强跟踪指导和管理服务，确保帮扶工作取得实效。" % submission.cycle.project_submission_days,
        "妥否，请予备案。",
    ]
    if submission.contact:
        paragraphs.append("（联系人及电话：%s）" % submission.contact)
    return paragraphs


def cover_letter_docx(submission: RegistrationSubmission) -> bytes:
    return official_docx(
        issuer=issuing_body(submission), doc_number=submission.doc_number, title=letter_title(submission),
        recipients=recipient_body(submission), paragraphs=letter_paragraphs(submission), signature=issuing_body(submission),
        date=submission.sent_on or timezone.localdate(), attachments_note="附件：%s" % table_title(submission),
    )
