"""A report's narrative is sanitized on save (nh3 through ``core.sanitize.clean_html``, in the field's clean): script,
event handlers, ``javascript:`` links, images and styles never reach the stored HTML, so no page or document that
shows it can run them; the editor's formatting (bold, italic, lists, headings, quotes, line breaks) is kept."""
from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from core.sanitize import TAGS, clean_html, html_text
from portal.testing import CYCLE_YEAR
from reports import services
from reports.models import AnnualReport

HOSTILE = ('<p>开场<script>alert(1)</script></p>'
           '<img src=x onerror=alert(1)>'
           '<p><a href="javascript:alert(1)">点这里</a></p>'
           '<p onclick="alert(1)" style="color:red">点击段落</p>'
           '<style>body{background:url(javascript:alert(1))}</style>'
           '<svg onload=alert(1)><p>矢量</p></svg>'
           '<iframe src="javascript:alert(1)"></iframe>'
           '<p><strong>粗体</strong>与<em>斜体</em></p>')
CLEAN = "<p>开场</p><p>点这里</p><p>点击段落</p><p>矢量</p><p><strong>粗体</strong>与<em>斜体</em></p>"
FORMATTED = ("<h3>一、主要成效</h3><p><strong>粗体</strong><em>斜体</em><u>下划线</u><s>删除线</s></p>"
             "<ul><li>贡柑示范园</li><li>黄龙病防控</li></ul><ol><li>第一</li><li>第二</li></ol>"
             "<h4>（一）培训</h4><blockquote>群众评价</blockquote><p>第一行<br>第二行</p>")
FIELDS = ("achievements", "typical_cases", "problems", "next_plan")


def assert_harmless(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "<style", "<img", "<svg", "<iframe", "<a ", "javascript:", "alert(", "onerror", "onclick",
                "onload", "style="):
        assert bad not in lowered, (bad, html)
    assert not re.search(r"<[^>]+\s[a-z-]+\s*=", lowered), html   # no attribute at all
    assert set(re.findall(r"</?([a-z0-9]+)", lowered)) <= TAGS, html


@pytest.fixture
def report(world):
    return services.report_create(actor=world["renhua_st"], year=CYCLE_YEAR, level="county", county=world.renhua)


def test_a_hostile_narrative_comes_back_clean(world, report):
    services.report_update(actor=world["renhua_st"], report=report, **{name: HOSTILE for name in FIELDS})
    stored = AnnualReport.objects.get(pk=report.pk)
    for name in FIELDS:
        value = getattr(stored, name)
        assert_harmless(value)
        assert value == CLEAN, name


def test_the_editors_formatting_is_kept(world, report):
    services.report_update(actor=world["renhua_st"], report=report, achievements=FORMATTED,
                           next_plan="<h2>标题</h2><p><b>旧式粗体</b></p>")
    stored = AnnualReport.objects.get(pk=report.pk)
    assert stored.achievements == FORMATTED
    assert stored.next_plan == "标题<p>旧式粗体</p>"          # tags outside the editor's set go, their text stays


def test_saving_the_same_hostile_text_again_writes_nothing(world, report):
    services.report_update(actor=world["renhua_st"], report=report, achievements=HOSTILE)
    versions = AnnualReport.history.filter(id=report.pk).count()
    services.report_update(actor=world["renhua_st"], report=AnnualReport.objects.get(pk=report.pk),
                           achievements=HOSTILE)
    assert AnnualReport.history.filter(id=report.pk).count() == versions


def test_any_validated_save_sanitizes(world, report):
    """Not only the service: whatever validates the record (the admin, the API's service) cleans the field."""
    report.problems = '<p onmouseover="alert(1)">问题</p><script>steal()</script>'
    report.full_clean()
    assert report.problems == "<p>问题</p>"


def test_an_empty_editor_is_empty(world, report):
    services.report_update(actor=world["renhua_st"], report=report, achievements="<p></p>", problems="<p><br></p>")
    stored = AnnualReport.objects.get(pk=report.pk)
    assert (stored.achievements, stored.problems) == ("", "")


def test_only_the_author_writes_the_narrative(world, report):
    for name in ("city_st", "nanxiong_st", "renhua_rural", "province"):
        with pytest.raises(PermissionDenied):
            services.report_update(actor=world[name], report=report, achievements="<p>越权</p>")


@pytest.mark.parametrize("dirty, clean", [
    ("<script>alert(1)</script>", ""),
    ("<p>前<script>alert('x')</script>后</p>", "<p>前后</p>"),
    ("<img src=x onerror=alert(1)>", ""),
    ('<a href="javascript:alert(1)">链接</a>', "链接"),
    ('<a href="https://example.com">外链</a>', "外链"),
    ('<p onclick="alert(1)">段落</p>', "<p>段落</p>"),
    ('<p style="color:red" class="x" id="y">样式</p>', "<p>样式</p>"),
    ("<style>p{color:red}</style><p>正文</p>", "<p>正文</p>"),
    ("<iframe src=//evil.example></iframe>", ""),
    ("<svg><script>alert(1)</script></svg>", ""),
    ("<!-- 注释 --><p>正文</p>", "<p>正文</p>"),
    ("<p>a &lt;script&gt; b</p>", "<p>a &lt;script&gt; b</p>"),
    ("<STRONG>大写</STRONG>", "<strong>大写</strong>"),
    ("<p><strong>粗</strong><em>斜</em><u>下</u><s>删</s></p>", "<p><strong>粗</strong><em>斜</em><u>下</u><s>删</s></p>"),
    ("<h3>三级</h3><h4>四级</h4>", "<h3>三级</h3><h4>四级</h4>"),
    ("<h1>一级</h1><h2>二级</h2>", "一级二级"),
    ("<ul><li>甲</li></ul><ol><li>乙</li></ol>", "<ul><li>甲</li></ul><ol><li>乙</li></ol>"),
    ("<blockquote>引用</blockquote>", "<blockquote>引用</blockquote>"),
    ("<p>一<br>二</p>", "<p>一<br>二</p>"),
    ("<p>未闭合", "<p>未闭合</p>"),
    ("  <p>前后空白</p>  ", "<p>前后空白</p>"),
    ("<p></p>", ""),
    ("<p><br></p>", ""),
    ("", ""),
    (None, ""),
])
def test_clean_html(dirty, clean):
    assert clean_html(dirty) == clean
    assert_harmless(clean_html(dirty))


def test_clean_html_is_idempotent():
    for value in (HOSTILE, FORMATTED, CLEAN):
        assert clean_html(clean_html(value)) == clean_html(value)


def test_html_text():
    assert html_text("<p>成效<strong>明显</strong></p><script>alert(1)</script><style>p{}</style>") == "成效明显"
    assert html_text(None) == ""
