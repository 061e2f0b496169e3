"""The registration package for one recipient: the team table (XLSX) and the cover letter (DOCX, GB/T 9704 layout)."""
from __future__ import annotations

from django.utils import timezone

from core.documents import official_docx
from core.excel import SheetData, write_workbook
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
        "根据《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号）有关要求，%s。经公开征集、遴选和公示，"
        "公示期内无异议。现将%s%d个农村科技特派员团队选派情况报送%s备案。" % (scope, submission.cycle.name, count, addressee),
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
