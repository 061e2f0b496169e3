"""The application form as PDF and DOCX, the summary table as XLSX, and the to-dos on the home page."""
import io

import openpyxl
from docx import Document

from calls.tests.factories import complete_application, make_call, staff_team


def test_it_prints_the_application_form_as_pdf_and_docx(world, login):
    staff_team(world)
    application = complete_application(world, make_call(world))
    client = login("leader")
    pdf = client.get("/calls/applications/%d/print.pdf" % application.pk)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    docx = client.get("/calls/applications/%d/print.docx" % application.pk)
    text = "\n".join(cell.text for table in Document(io.BytesIO(docx.content)).tables
                     for row in table.rows for cell in row.cells)
    assert "柑橘团队" in text and "第1志愿：仁化县董塘镇" in text and "黄龙病" in text


def test_the_summary_table_lists_submitted_applications_in_scope(world, login, client):
    staff_team(world)
    call = make_call(world)
    application = complete_application(world, call)
    login("leader").post("/calls/applications/%d/act/submit/" % application.pk)
    client.logout()
    response = login("renhua_st").get("/calls/%d/summary.xlsx" % call.pk)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "团队名称", "团队负责人")
    assert rows[1][1:3] == ("柑橘团队", "黄志强") and rows[1][5] == "董塘镇" and rows[1][9] == "已提交"
    client.logout()
    assert login("nanxiong_st").get("/calls/%d/summary.xlsx" % call.pk).status_code == 404


def test_the_home_page_shows_the_to_dos(world, login, client):
    staff_team(world, verified=False)
    world.team.memberships.get(role="leader").commissioner.user = world["leader"]
    call = make_call(world)
    application = complete_application(world, call)
    login("leader").post("/calls/applications/%d/act/submit/" % application.pk)
    client.logout()
    assert "待审核的申报" in login("renhua_st").get("/home/").content.decode()
    client.logout()
    assert "待核验的特派员账号" in login("unit").get("/home/").content.decode()
    client.logout()
    login("renhua_st").post("/calls/applications/%d/act/return/" % application.pk, {"comment": "补充材料"})
    client.logout()
    assert "被退回待修改的申报" in login("leader").get("/home/").content.decode()
