"""The printed notice (issue 14, item 11): it says how to object on paper within the exact period, never "本页面", and
its signature and date stay on the page of the end of the body, however long the list."""
import datetime as dt

import lxml.html
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes

from core.documents import BASE_CSS
from notices.documents import notice_html
from notices.models import NoticeEntry
from notices.services import notice_publish

SIGNATURE = "仁化县科学技术局2024年9月27日"  # issuer and date, as the two lines of the signature read on the page
# The rules under test switched off: the control that shows the lengths tried do reach a page break in the closing.
RULES_OFF = (".closing { break-inside: auto !important; page-break-inside: auto !important; }"
             ".closing .signature { break-before: auto !important; page-break-before: auto !important; }")


def pages(html: str, extra_css: str = "") -> list[str]:
    """The text on each printed page, as WeasyPrint lays it out for the PDF (same stylesheets as html_to_pdf)."""
    sheets = [CSS(string=BASE_CSS)] + ([CSS(string=extra_css)] if extra_css else [])
    document = HTML(string=html).render(stylesheets=sheets)
    return ["".join(box.text for box in page._page_box.descendants() if isinstance(box, boxes.TextBox))
            for page in document.pages]


def on(pages_text: list[str], text: str) -> list[int]:
    return [number for number, page in enumerate(pages_text) if text in page]


def test_the_pdf_is_served_and_says_how_to_object_on_paper_within_the_exact_period(client, published):
    assert "本页面" in published.body  # the web wording, kept for the web page
    response = client.get(f"/public/notices/{published.pk}/notice.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(pages(notice_html(published)))
    assert "本页面" not in text and "在线提交" not in text
    assert "公示期为2024年9月27日至2024年10月9日（%d个工作日）" % published.working_days in text
    assert published.working_days == 5
    assert ("公示期间，任何单位和个人对公示团队有异议的，可通过书面、电话或当面等方式向仁化县科学技术局反映，"
            "并提供真实姓名、联系方式、具体理由及相关证明材料。匿名、超出公示期或无具体理由的异议不予受理。") in text
    assert "联系方式：仁化县科学技术局 0751-6381234" in text
    assert text.count("公示期为") == 1  # the body's own period sentence is replaced, not repeated
    assert "拟选派以下1个农村科技特派员团队结对帮扶相关镇（街道），现予以公示。" in text
    assert "柑橘团队" in text and "仁化县董塘镇" in text and text.endswith(SIGNATURE)


def test_a_body_written_for_the_web_prints_without_the_page_words_and_with_the_period(world, proposed):
    notice = notice_publish(
        actor=world["renhua_st"], cycle=world.cycle, pairings=[proposed["county"]], title="仁化县团队公示",
        start_date=dt.date(2025, 3, 3), contact="仁化县科学技术局农村科技股，电话0751-6381234，地址仁化县丹霞大道1号",
        body="经遴选，拟选派以下团队，现予以公示。\n如有异议，请在本页面在线提交。请实事求是反映。", today=dt.date(2025, 3, 3))
    text = "".join(pages(notice_html(notice)))
    assert "本页面" not in text and "请实事求是反映。" in text
    assert "公示期为2025年3月3日至2025年3月7日（5个工作日）" in text
    assert "异议受理联系方式：仁化县科学技术局农村科技股，电话0751-6381234，地址仁化县丹霞大道1号" in text


def test_the_signature_is_in_the_unbreakable_block_that_ends_the_body(published):
    tree = lxml.html.fromstring(notice_html(published))
    closing = tree.xpath("//div[contains(concat(' ', @class, ' '), ' closing ')]")
    assert len(closing) == 1
    block = closing[0]
    paragraphs = [p.text_content() for p in block.xpath(".//p")]
    assert paragraphs[0].startswith("公示期为") and paragraphs[-2:] == ["仁化县科学技术局", "2024年9月27日"]
    assert [p.text_content() for p in block.xpath(".//div[@class='signature']/p[@class='sign']")] == [
        "仁化县科学技术局", "2024年9月27日"]
    assert block.getnext() is None  # nothing after the signature block
    style = tree.xpath("//style")[0].text
    assert ".closing { break-inside: avoid; page-break-inside: avoid; }" in style


def test_however_long_the_list_the_signature_never_leaves_the_end_of_the_body(published):
    first = published.entries.get()
    split_without_the_rule = []
    for count in range(2, 16):
        NoticeEntry.objects.create(notice=published, pairing=first.pairing, town=first.town, team_name="团队%d" % count,
                                   leader="负责人%d" % count, members="成员甲（华南农业大学，研究员）；成员乙（韶关学院，讲师）",
                                   town_label="董塘镇", county_name="仁化县")
        html = notice_html(published)
        printed = pages(html)
        signature_page = on(printed, SIGNATURE)
        assert signature_page == [len(printed) - 1], count
        assert on(printed, "公示期为") == signature_page, count  # the final paragraphs start on the signature's page
        assert on(printed, "联系方式：仁化县科学技术局") == signature_page, count
        if not split_without_the_rule:
            loose = pages(html, RULES_OFF)
            if on(loose, "公示期为") != on(loose, SIGNATURE):
                split_without_the_rule.append(count)
    assert split_without_the_rule, "the lengths tried never reached a page break: the test would prove nothing"
