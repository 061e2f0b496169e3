"""The public notice as a printable PDF in official layout (title, number, body, list, issuer and date)."""
import html

from core.documents import format_doc_date, html_to_pdf


def notice_pdf(notice) -> bytes:
    esc = html.escape
    paragraphs = "".join("<p>%s</p>" % esc(line.strip()) for line in notice.body.splitlines() if line.strip())
    rows = "".join(
        "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s%s</td></tr>" % (
            index, esc(entry.team_name), esc(entry.leader), esc(entry.members or "—"), esc(entry.county_name),
            esc(entry.town_label))
        for index, entry in enumerate(notice.entries.order_by("pk"), start=1))
    document = (
        "<html><body>"
        "<h1>%(title)s</h1>%(number)s<div class='body'>%(body)s</div>"
        "<table class='list'><thead><tr><th>序号</th><th>团队名称</th><th>团队负责人</th><th>成员单位及职称</th>"
        "<th>帮扶镇</th></tr></thead><tbody>%(rows)s</tbody></table>"
        "<p class='sign' style='margin-top:14mm'>%(issuer)s</p><p class='sign'>%(date)s</p>"
        "</body></html>"
    ) % {
        "title": esc(notice.title),
        "number": "<p style='text-align:center'>%s</p>" % esc(notice.doc_number) if notice.doc_number else "",
        "body": paragraphs, "rows": rows, "issuer": esc(notice.issuer), "date": esc(format_doc_date(notice.start_date)),
    }
    css = "table.list th { width: auto; } table.list td, table.list th { font-size: 11pt; }"
    return html_to_pdf(document, css=css)
