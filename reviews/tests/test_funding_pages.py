"""The funding pages: the yearly envelopes (figures summed by the database, the city reads every county's), the grant
of an approved project by its funder only, the tranches with their vouchers, the grant list and the ledger — each
for the right user only."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reviews import selectors, services
from reviews.models import Disbursement, Envelope, Grant
from reviews.tests.factories import accepted_project, expert_user, make_pool, scores

pytestmark = pytest.mark.django_db

OFFICES = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"]
YEAR = timezone.localdate().year
# Who reads a grant of 柑橘团队 in 黄坑镇 (city-organized, funded by the city): the city and the province above the
# funder, the town, the team and its dispatching unit — never the county below.
CITY_GRANT_READERS = ["province", "city_st", "city_rural", "renhua_city_town", "leader", "member", "unit"]


def pdf(name="voucher.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


def approved_city_review(world, amount="80000"):
    """柑橘团队's project in 黄坑镇 through the city's panel, approved with ``amount``."""
    project, _people = accepted_project(world)
    make_pool(world)
    city = world["city_st"]
    review = services.review_start(actor=city, project=project)
    seats = services.panel_fill(actor=city, review=review)
    services.review_open(actor=city, review=review)
    for seat in seats:
        services.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(), comment="同意")
    review.refresh_from_db()
    return services.review_decide(actor=city, review=review, action="approve", amount=amount, opinion="同意立项")


def approved_county_review(world, amount="30000"):
    """柑橘团队's project in 董塘镇 (county-organized): 仁化县 approves it in a single step."""
    services.review_rule_set(actor=world["renhua_st"], cycle=world.cycle, county=world.renhua, mode="single")
    project, _people = accepted_project(world, town=world.renhua_county_town)
    review = services.review_start(actor=world["renhua_st"], project=project)
    return services.review_decide(actor=world["renhua_st"], review=review, action="approve", amount=amount)


def envelope(world, actor="city_st", budgeted="1000000"):
    return services.envelope_save(actor=world[actor], values={"fiscal_year": YEAR, "budgeted": budgeted})


def city_grant(world, amount="80000"):
    review = approved_city_review(world)
    envelope(world)
    return services.grant_create(actor=world["city_st"], review=review, values={
        "project_number": "KTP-%s-440200-001" % YEAR, "fiscal_year": YEAR, "budget_source": "city_st",
        "amount": amount, "granted_on": timezone.localdate()})


def grant_form(review, **overrides):
    data = {"project_number": "KTP-%s-TEST-001" % YEAR, "fiscal_year": YEAR, "budget_source": "city_st",
            "amount": "80000", "granted_on": timezone.localdate().isoformat(), "note": ""}
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------------------------ envelopes
def test_envelopes_are_set_on_their_page_and_summed_by_the_database(world, login):
    client = login("city_st")
    assert client.get(reverse("reviews:envelope_create")).status_code == 200
    response = client.post(reverse("reviews:envelope_create"), {"fiscal_year": YEAR, "budgeted": "500000",
                                                                 "note": "韶科〔2025〕1号"})
    assert response.status_code == 302
    city = Envelope.objects.get(organizer_level="city")
    login("renhua_st").post(reverse("reviews:envelope_create"), {"fiscal_year": YEAR, "budgeted": "200000"})
    county = Envelope.objects.get(organizer_level="county")
    assert county.county_id == world.renhua.pk
    html = login("city_st").get(reverse("reviews:envelope_list")).content.decode()
    assert "韶关市科技局" in html and "仁化县科技部门" in html and "500,000.00 元" in html and "200,000.00 元" in html
    assert 'data-testid="edit-envelope-%d"' % city.pk in html and 'data-testid="edit-envelope-%d"' % county.pk not in html
    html = login("renhua_st").get(reverse("reviews:envelope_list")).content.decode()
    assert "仁化县科技部门" in html and "韶关市科技局" not in html
    # A second envelope for the same year is refused on the field, in Chinese.
    response = login("renhua_st").post(reverse("reviews:envelope_create"), {"fiscal_year": YEAR, "budgeted": "1"})
    assert "年度的资助预算已设置" in response.content.decode() and Envelope.objects.count() == 2


def test_a_county_cannot_edit_the_citys_envelope(world, login, assert_denied):
    city = envelope(world)
    county = envelope(world, "renhua_st", "200000")
    assert login("renhua_st").post(reverse("reviews:envelope_edit", args=[city.pk]),
                                   {"budgeted": "1"}).status_code == 404
    assert login("city_st").post(reverse("reviews:envelope_edit", args=[county.pk]),
                                 {"budgeted": "1"}).status_code == 404
    city.refresh_from_db()
    county.refresh_from_db()
    assert city.budgeted == Decimal("1000000") and county.budgeted == Decimal("200000")
    response = login("city_st").post(reverse("reviews:envelope_edit", args=[city.pk]), {"budgeted": "900000"})
    assert response.status_code == 302
    city.refresh_from_db()
    assert city.budgeted == Decimal("900000")
    assert_denied(reverse("reviews:envelope_edit", args=[city.pk]), allowed=["city_st"])
    assert_denied(reverse("reviews:envelope_edit", args=[county.pk]), allowed=["renhua_st"])
    assert_denied(reverse("reviews:envelope_list"), allowed=OFFICES)
    assert_denied(reverse("reviews:envelope_create"), allowed=["city_st", "renhua_st", "nanxiong_st"])


def test_an_envelope_is_never_set_below_what_is_committed(world, login):
    grant = city_grant(world)
    env = Envelope.objects.get(organizer_level="city")
    response = login("city_st").post(reverse("reviews:envelope_edit", args=[env.pk]), {"budgeted": "1000"})
    assert "年度预算不能少于已立项资助的金额" in response.content.decode()
    html = login("city_st").get(reverse("reviews:envelope_list")).content.decode()
    assert "80,000.00 元" in html and "920,000.00 元" in html
    assert grant.amount == Decimal("80000")


# ------------------------------------------------------------------------------------------------ grants
def test_the_city_funds_its_approved_project_from_the_list(world, login):
    review = approved_city_review(world)
    envelope(world)
    client = login("city_st")
    html = client.get(reverse("reviews:grant_list")).content.decode()
    assert 'data-testid="fund-%d"' % review.pk in html
    html = client.get(reverse("reviews:grant_create", args=[review.pk])).content.decode()
    assert services.next_project_number(review, YEAR) in html and 'value="80000.00"' in html
    assert "尚余 1,000,000.00 元" in html
    response = client.post(reverse("reviews:grant_create", args=[review.pk]), grant_form(review))
    grant = Grant.objects.get()
    assert response.status_code == 302 and response["Location"] == grant.get_absolute_url()
    assert grant.organizer_level == "city" and grant.amount == Decimal("80000")
    # A second visit goes to the grant.
    assert client.get(reverse("reviews:grant_create", args=[review.pk]))["Location"] == grant.get_absolute_url()


def test_a_grant_above_the_approved_amount_shows_the_chinese_error(world, login):
    review = approved_city_review(world)
    envelope(world)
    response = login("city_st").post(reverse("reviews:grant_create", args=[review.pk]),
                                     grant_form(review, amount="90000"))
    html = response.content.decode()
    assert response.status_code == 200 and "资助金额不能超过论证核定的金额" in html and 'data-field="amount"' in html
    assert not Grant.objects.exists()
    response = login("city_st").post(reverse("reviews:grant_create", args=[review.pk]),
                                     grant_form(review, fiscal_year=YEAR + 1))
    assert "尚未设置%d年度的资助预算" % (YEAR + 1) in response.content.decode() and not Grant.objects.exists()


def test_a_county_cannot_see_or_fund_a_city_funded_grant(world, login, assert_denied):
    grant = city_grant(world)
    review = grant.review
    client = login("renhua_st")
    html = client.get(reverse("reviews:grant_list")).content.decode()
    assert grant.project_number not in html and 'data-testid="empty"' in html
    assert client.get(grant.get_absolute_url()).status_code == 404
    assert client.get(reverse("reviews:grant_create", args=[review.pk])).status_code == 404
    assert client.post(reverse("reviews:disbursement_create", args=[grant.pk]),
                       {"amount": "1", "paid_on": timezone.localdate().isoformat(), "voucher": pdf()}).status_code == 404
    assert client.get(reverse("reviews:grant_edit", args=[grant.pk])).status_code == 404
    assert_denied(grant.get_absolute_url(), allowed=CITY_GRANT_READERS)
    assert_denied(reverse("reviews:grant_edit", args=[grant.pk]), allowed=["city_st"])
    assert_denied(reverse("reviews:disbursement_create", args=[grant.pk]), allowed=["city_st"])


def test_the_county_funds_its_own_teams_and_the_city_reads_it(world, login):
    review = approved_county_review(world)
    envelope(world, "renhua_st", "100000")
    assert login("city_st").get(reverse("reviews:grant_create", args=[review.pk])).status_code == 404
    client = login("renhua_st")
    html = client.get(reverse("reviews:grant_create", args=[review.pk])).content.decode()
    assert "KTP-%d-440224-001" % YEAR in html
    client.post(reverse("reviews:grant_create", args=[review.pk]),
                grant_form(review, project_number="KTP-%d-440224-001" % YEAR, amount="30000", budget_source="county"))
    grant = Grant.objects.get()
    assert grant.organizer_level == "county" and grant.county_id == world.renhua.pk
    html = login("city_st").get(reverse("reviews:grant_list")).content.decode()
    assert grant.project_number in html and "仁化县科技部门" in html
    html = login("city_st").get(grant.get_absolute_url()).content.decode()
    assert 'data-testid="disbursement-form"' not in html
    assert login("nanxiong_st").get(grant.get_absolute_url()).status_code == 404


def test_the_grant_list_filters_and_gates(world, login, assert_denied):
    grant = city_grant(world)
    client = login("city_st")
    assert grant.project_number in client.get(reverse("reviews:grant_list"), {"q": "KTP"}).content.decode()
    assert grant.project_number not in client.get(reverse("reviews:grant_list"),
                                                  {"fiscal_year": YEAR - 1}).content.decode()
    assert grant.project_number not in client.get(reverse("reviews:grant_list"),
                                                  {"budget_source": "county"}).content.decode()
    assert grant.project_number in client.get(reverse("reviews:grant_list"),
                                              {"county": world.renhua.pk}).content.decode()
    html = login("leader").get(reverse("reviews:grant_list")).content.decode()
    assert grant.project_number in html
    html = login("other_leader").get(reverse("reviews:grant_list")).content.decode()
    assert grant.project_number not in html
    assert_denied(reverse("reviews:grant_list"), allowed=OFFICES + [
        "renhua_city_town", "renhua_county_town", "nanxiong_city_town", "nanxiong_county_town", "leader", "member",
        "other_leader", "unit"])


def test_the_funder_corrects_a_grant(world, login):
    grant = city_grant(world)
    client = login("city_st")
    assert client.get(reverse("reviews:grant_edit", args=[grant.pk])).status_code == 200
    data = grant_form(grant.review, project_number=grant.project_number, amount="70000", note="调减")
    assert client.post(reverse("reviews:grant_edit", args=[grant.pk]), data).status_code == 302
    grant.refresh_from_db()
    assert grant.amount == Decimal("70000") and grant.note == "调减"


# ------------------------------------------------------------------------------------------------ tranches
def test_two_tranches_then_one_above_what_remains_is_refused(world, login):
    grant = city_grant(world)
    client = login("city_st")
    html = client.get(grant.get_absolute_url()).content.decode()
    assert 'data-testid="disbursement-form"' in html and 'data-testid="no-tranches"' in html
    url = reverse("reviews:disbursement_create", args=[grant.pk])
    today = timezone.localdate().isoformat()
    for amount in ("40000", "30000"):
        response = client.post(url, {"amount": amount, "paid_on": today, "voucher": pdf(), "note": "拨付"})
        assert response.status_code == 302 and response["Location"] == grant.get_absolute_url()
    response = client.post(url, {"amount": "10000.01", "paid_on": today, "voucher": pdf()})
    html = response.content.decode()
    assert response.status_code == 200 and "拨付金额超出尚未拨付的资助金额（尚余10,000.00元）" in html
    assert 'data-field="amount"' in html
    assert Disbursement.objects.count() == 2
    html = client.get(grant.get_absolute_url()).content.decode()
    assert "尚未拨付 10,000.00 元" in html and html.count('data-testid="voucher-') == 2
    figures = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get()
    assert figures.disbursed == Decimal("70000") and figures.undisbursed == Decimal("10000")


def test_a_voucher_that_is_not_a_pdf_or_image_is_refused(world, login):
    grant = city_grant(world)
    url = reverse("reviews:disbursement_create", args=[grant.pk])
    fake = SimpleUploadedFile("voucher.pdf", b"PK\x03\x04 this is not a pdf at all", content_type="application/pdf")
    response = login("city_st").post(url, {"amount": "1000", "paid_on": timezone.localdate().isoformat(),
                                           "voucher": fake})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-field="voucher"' in html and not Disbursement.objects.exists()
    response = login("city_st").post(url, {"amount": "1000", "paid_on": timezone.localdate().isoformat()})
    assert "请上传拨付凭证" in response.content.decode() and not Disbursement.objects.exists()


def test_the_voucher_is_served_to_the_grants_readers_only(world, assert_denied):
    grant = city_grant(world)
    tranche = services.disbursement_add(actor=world["city_st"], grant=grant, amount="1000",
                                        paid_on=timezone.localdate(), voucher=pdf())
    assert_denied(reverse("reviews:voucher", args=[tranche.pk]), allowed=CITY_GRANT_READERS)


def test_the_ledger_downloads_the_grants_the_user_reads(world, login):
    pytest.importorskip("reviews.documents")
    grant = city_grant(world)
    response = login("city_st").get(reverse("reviews:grant_ledger"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert login("renhua_st").get(reverse("reviews:grant_ledger")).status_code == 200
    assert grant.pk


def test_no_page_fails_for_any_role_or_odd_input(world, client):
    from portal.testing import ALL_USERS

    grant = city_grant(world)
    tranche = services.disbursement_add(actor=world["city_st"], grant=grant, amount="1000",
                                        paid_on=timezone.localdate(), voucher=pdf())
    expert = grant.review.seats.first().expert
    urls = [reverse("reviews:expert_list") + "?county=abc&level=x&available=maybe&q=%00",
            reverse("reviews:expert_list") + "?export=xlsx", reverse("reviews:expert_create"),
            reverse("reviews:expert_import"), reverse("reviews:expert_detail", args=[expert.pk]),
            reverse("reviews:expert_edit", args=[expert.pk]), reverse("reviews:relation_create", args=[expert.pk]),
            reverse("reviews:review_rules") + "?cycle=99999999999999999999",
            reverse("reviews:grant_list") + "?fiscal_year=abc&county=-1&budget_source=x",
            reverse("reviews:grant_list") + "?export=xlsx", reverse("reviews:grant_ledger") + "?fiscal_year=abc",
            reverse("reviews:grant_create", args=[grant.review_id]), grant.get_absolute_url(),
            reverse("reviews:grant_edit", args=[grant.pk]), reverse("reviews:disbursement_create", args=[grant.pk]),
            reverse("reviews:voucher", args=[tranche.pk]), reverse("reviews:envelope_list") + "?fiscal_year=1",
            reverse("reviews:envelope_create"),
            reverse("reviews:envelope_edit", args=[Envelope.objects.get().pk])]
    for name in ALL_USERS:
        client.force_login(world[name])
        for url in urls:
            assert client.get(url).status_code in (200, 302, 404), (name, url)
        assert client.post(reverse("reviews:review_rules"), {"county": "x", "cycle": "y"}).status_code in (302, 404)
        assert client.post(reverse("reviews:relation_delete", args=[999999])).status_code == 404
