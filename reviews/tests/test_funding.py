"""Funding (立项资助): only the selecting organizer funds, within the approved amount and the year's envelope; tranches
never above the grant, with a real voucher; envelopes with figures summed by the database; who sees which."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from core.scoping import restrict
from reviews import selectors, services
from reviews.models import Disbursement, Envelope, Grant, Review
from reviews.tests.factories import approved_review, extra_team, grant_values, qingyuan, voucher

TODAY = timezone.localdate


def envelope(world, actor="city_st", year=2026, budgeted="1000000"):
    return services.envelope_save(actor=world[actor], values={"fiscal_year": year, "budgeted": budgeted})


def figures(world, level="city", county=None, year=2026):
    return selectors.envelope_for(level, world.city.pk, county.pk if county else None, year)


def pay(world, grant, amount, kind="pdf", actor="city_st", paid_on=None):
    return services.disbursement_add(actor=world[actor], grant=grant, amount=amount, paid_on=paid_on or TODAY(),
                                     voucher=voucher(kind))


def refused(step, field=None):
    with pytest.raises(ValidationError) as error:
        step()
    return error.value.message_dict[field] if field else error.value.messages


@pytest.fixture
def city_review(world):
    review, _project = approved_review(world)  # the city's team in 黄坑镇, 80,000.00 approved
    return review


@pytest.fixture
def county_review(world):
    review, _project = approved_review(world, town=world.renhua_county_town, team=extra_team(world, "县级团队"),
                                       actor="renhua_st", amount="60000")
    return review


# ------------------------------------------------------------------------------------------------ who funds
@pytest.mark.django_db
def test_only_the_organizer_that_selected_the_team_funds(world, city_review, county_review):
    envelope(world)
    envelope(world, "renhua_st", budgeted="500000")
    envelope(world, "nanxiong_st", budgeted="500000")
    for outsider in ("renhua_st", "nanxiong_st", "province", "city_rural", "renhua_rural", "leader", "expert"):
        with pytest.raises(PermissionDenied):
            services.grant_create(actor=world[outsider], review=city_review, values=grant_values())
    for outsider in ("city_st", "nanxiong_st", "province", "renhua_rural", "leader"):
        with pytest.raises(PermissionDenied):
            services.grant_create(actor=world[outsider], review=county_review,
                                  values=grant_values(project_number="KTP-RH-1", amount="60000"))
    assert not Grant.objects.exists()
    city_grant = services.grant_create(actor=world["city_st"], review=city_review, values=grant_values())
    county_grant = services.grant_create(actor=world["renhua_st"], review=county_review,
                                         values=grant_values(project_number="KTP-RH-1", amount="60000",
                                                             budget_source="county"))
    assert (city_grant.organizer_level, city_grant.county_id) == ("city", None)
    assert (county_grant.organizer_level, county_grant.county_id) == ("county", world.renhua.pk)
    # Each funder pays only its own grants.
    with pytest.raises(PermissionDenied):
        pay(world, county_grant, "1000", actor="city_st")
    with pytest.raises(PermissionDenied):
        pay(world, city_grant, "1000", actor="renhua_st")
    with pytest.raises(PermissionDenied):
        services.grant_update(actor=world["city_st"], grant=county_grant, values={"amount": "50000"})


@pytest.mark.django_db
def test_a_grant_needs_an_approved_review_and_is_made_once(world):
    review, project = approved_review(world)
    envelope(world)
    Review.objects.filter(pk=review.pk).update(status="rejected")
    assert "论证通过后方可立项资助" in refused(lambda: services.grant_create(
        actor=world["city_st"], review=review, values=grant_values()))[0]
    Review.objects.filter(pk=review.pk).update(status="approved_changes")
    services.grant_create(actor=world["city_st"], review=review, values=grant_values())
    assert refused(lambda: services.grant_create(actor=world["city_st"], review=review, values=grant_values(
        project_number="KTP-2"))) == ["该项目已立项资助，请在原记录上修改或登记拨付。"]


@pytest.mark.django_db
def test_a_grant_stays_within_the_approved_amount_and_the_envelope(world, city_review):
    city = world["city_st"]
    assert refused(lambda: services.grant_create(actor=city, review=city_review, values=grant_values()),
                   "fiscal_year") == ["尚未设置2026年度的资助预算，请先在“年度资助预算”中设置。"]
    envelope(world, budgeted="100000")
    for amount, message in (("80000.01", "资助金额不能超过论证核定的金额（80,000.00元）。"), ("0", "资助金额应大于0。"),
                            ("100.001", "金额最多保留到分（两位小数）。"), ("abc", "资助金额（元）应为数字（元），如 12000 或 12000.50。")):
        assert refused(lambda: services.grant_create(actor=city, review=city_review, values=grant_values(
            amount=amount)), "amount") == [message], amount
    assert refused(lambda: services.grant_create(actor=city, review=city_review, values=grant_values(
        granted_on=TODAY() - dt.timedelta(days=3))), "granted_on")[0].startswith("立项日期不能早于论证决定日期")
    assert not Grant.objects.exists()
    first = services.grant_create(actor=city, review=city_review, values=grant_values(amount="80000"))
    assert first.amount == Decimal("80000.00")
    # A second project the same year takes what is left of the envelope, no more: the two add up.
    other, _project = approved_review(world, town=world.nanxiong_city_town, team=world.other_team, pool=False)
    assert refused(lambda: services.grant_create(actor=city, review=other, values=grant_values(
        project_number="KTP-2", amount="20000.01")), "amount") == ["超出2026年度资助预算余额（尚余20,000.00元）。"]
    assert refused(lambda: services.grant_create(actor=city, review=other, values=grant_values(
        project_number=" KTP-2026-4402-001 ", amount="1000")), "project_number")  # the number is unique
    services.grant_create(actor=city, review=other, values=grant_values(project_number="KTP-2", amount="20000"))
    env = figures(world)
    assert (env.budgeted, env.committed, env.remaining, env.disbursed) == (
        Decimal("100000.00"), Decimal("100000.00"), Decimal("0.00"), Decimal("0"))
    # Another year's envelope is another budget.
    assert figures(world, year=2027) is None


@pytest.mark.django_db
def test_envelopes_are_one_per_funder_and_year_and_never_below_what_is_committed(world, city_review):
    city = world["city_st"]
    budget = envelope(world, budgeted="100000")
    assert refused(lambda: envelope(world, budgeted="5000"), "fiscal_year") == [
        "2026年度的资助预算已设置，请在原记录上修改。"]
    envelope(world, "renhua_st", budgeted="5000")  # each county has its own
    envelope(world, year=2027)
    assert refused(lambda: services.envelope_save(actor=city, values={"fiscal_year": "明年", "budgeted": "1"}),
                   "fiscal_year") == ["预算年度应为四位年份，如2025。"]
    assert sorted(refused(lambda: services.envelope_save(actor=city, values={"budgeted": "一百万"}))) == sorted([
        "请填写预算年度。", "年度预算应为数字（元），如 12000 或 12000.50。"])
    assert refused(lambda: services.envelope_save(actor=city, values={"fiscal_year": 2029}), "budgeted") == [
        "请填写年度预算（元）。"]
    assert refused(lambda: services.envelope_save(actor=city, values={"fiscal_year": 2029, "budgeted": "10.005"}),
                   "budgeted") == ["金额最多保留到分（两位小数）。"]
    for outsider in ("city_rural", "province", "leader", "expert"):
        with pytest.raises(PermissionDenied):
            services.envelope_save(actor=world[outsider], values={"fiscal_year": 2028, "budgeted": "1"})
    with pytest.raises(PermissionDenied):
        services.envelope_save(actor=world["renhua_st"], envelope=budget, values={"budgeted": "1"})
    services.grant_create(actor=city, review=city_review, values=grant_values(amount="70000"))
    assert refused(lambda: services.envelope_save(actor=city, envelope=budget, values={"budgeted": "69999.99"}),
                   "budgeted") == ["年度预算不能少于已立项资助的金额（70,000.00元）。"]
    assert Envelope.objects.get(pk=budget.pk).budgeted == Decimal("100000.00")
    services.envelope_save(actor=city, envelope=budget, values={"budgeted": "70000"})
    env = figures(world)
    assert (env.committed, env.remaining) == (Decimal("70000.00"), Decimal("0.00"))
    assert Envelope.objects.filter(organizer_level="city", fiscal_year=2026).count() == 1


# ------------------------------------------------------------------------------------------------ tranches
@pytest.mark.django_db
def test_tranches_never_exceed_the_grant(world, city_review):
    envelope(world)
    grant = services.grant_create(actor=world["city_st"], review=city_review, values=grant_values())
    pay(world, grant, "30000")
    pay(world, grant, "30000", kind="png")
    assert refused(lambda: pay(world, grant, "30000", kind="jpeg"), "amount") == [
        "拨付金额超出尚未拨付的资助金额（尚余20,000.00元）。"]
    for amount, message in (("0", "拨付金额应大于0。"), ("-5", "拨付金额应大于0。"), ("1.234", "金额最多保留到分（两位小数）。"),
                            ("", "请填写拨付金额（元）。")):
        assert refused(lambda: pay(world, grant, amount), "amount") == [message], amount
    # What remains, as the database sums it (a page may offer it as the default), is paid as it reads.
    rest = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get().undisbursed
    assert rest == Decimal("20000")
    assert pay(world, grant, rest, kind="jpeg").amount == Decimal("20000.00")
    assert Disbursement.objects.filter(grant=grant).count() == 3
    row = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get()
    assert (row.disbursed, row.undisbursed) == (Decimal("80000.00"), Decimal("0.00"))
    env = figures(world)
    assert (env.committed, env.disbursed, env.remaining) == (Decimal("80000.00"), Decimal("80000.00"),
                                                              Decimal("920000.00"))
    assert refused(lambda: pay(world, grant, "0.01"), "amount") == ["拨付金额超出尚未拨付的资助金额（尚余0.00元）。"]


@pytest.mark.django_db
def test_a_voucher_must_be_a_pdf_or_an_image_by_its_content(world, city_review):
    envelope(world)
    grant = services.grant_create(actor=world["city_st"], review=city_review, values=grant_values())
    (message,) = refused(lambda: pay(world, grant, "1000", kind="text"), "voucher")
    assert "拨付凭证" in message and "按文件内容检查" in message
    assert refused(lambda: services.disbursement_add(actor=world["city_st"], grant=grant, amount="1000",
                                                     paid_on=TODAY(), voucher=None), "voucher") == [
        "请上传拨付凭证（PDF或图片）。"]
    assert not Disbursement.objects.exists()
    tranche = pay(world, grant, "1000", kind="png")
    assert tranche.voucher.name.endswith(".png")


@pytest.mark.django_db
def test_a_tranche_is_dated_between_the_grant_and_today(world, city_review):
    envelope(world)
    grant = services.grant_create(actor=world["city_st"], review=city_review, values=grant_values())
    assert refused(lambda: pay(world, grant, "1000", paid_on=TODAY() - dt.timedelta(days=1)), "paid_on")[0] \
        .startswith("拨付日期不能早于立项日期")
    assert refused(lambda: pay(world, grant, "1000", paid_on="2026/06/30"), "paid_on") == [
        "拨付日期格式不正确，应如2025-06-30。"]
    assert refused(lambda: pay(world, grant, "1000", paid_on=TODAY() + dt.timedelta(days=2)), "paid_on")
    assert not Disbursement.objects.exists()


@pytest.mark.django_db
def test_a_grant_is_corrected_never_below_what_was_paid(world, city_review):
    city = world["city_st"]
    envelope(world, budgeted="90000")
    grant = services.grant_create(actor=city, review=city_review, values=grant_values(amount="60000"))
    pay(world, grant, "50000")
    assert refused(lambda: services.grant_update(actor=city, grant=grant, values={"amount": "49999.99"}),
                   "amount") == ["资助金额不能少于已拨付的金额（50,000.00元）。"]
    assert refused(lambda: services.grant_update(actor=city, grant=grant, values={"amount": "80000.01"}),
                   "amount") == ["资助金额不能超过论证核定的金额（80,000.00元）。"]
    services.grant_update(actor=city, grant=grant, values={"amount": "80000"})  # within the envelope with its own share
    assert figures(world).remaining == Decimal("10000.00")
    services.grant_update(actor=city, grant=grant, values={"amount": "50000"})
    assert figures(world).remaining == Decimal("40000.00")
    # Moving it to a year without an envelope is refused.
    assert refused(lambda: services.grant_update(actor=city, grant=grant, values={"fiscal_year": 2027}),
                   "fiscal_year")
    assert Grant.objects.get(pk=grant.pk).fiscal_year == 2026


@pytest.mark.django_db
def test_a_suggested_project_number_is_numbered_per_funder_and_year(world, city_review):
    envelope(world)
    assert services.next_project_number(city_review, 2026) == "KTP-2026-4402-001"
    services.grant_create(actor=world["city_st"], review=city_review, values=grant_values(
        project_number=services.next_project_number(city_review, 2026)))
    assert services.next_project_number(city_review, 2026) == "KTP-2026-4402-002"


# ------------------------------------------------------------------------------------------------ who sees what
@pytest.mark.django_db
def test_each_funder_sees_its_envelopes_and_grants_and_the_city_sees_its_counties(world, city_review, county_review):
    qingyuan(world)
    envelope(world)
    envelope(world, "renhua_st", budgeted="500000")
    envelope(world, "nanxiong_st", budgeted="300000")
    city_grant = services.grant_create(actor=world["city_st"], review=city_review, values=grant_values())
    county_grant = services.grant_create(actor=world["renhua_st"], review=county_review, values=grant_values(
        project_number="KTP-RH-1", amount="60000", budget_source="county"))
    pay(world, county_grant, "10000", actor="renhua_st")

    def keepers(name):
        return {(e.organizer_level, e.county_id) for e in restrict(Envelope, world[name])}

    assert keepers("city_st") == keepers("city_rural") == {("city", None), ("county", world.renhua.pk),
                                                           ("county", world.nanxiong.pk)}
    assert keepers("renhua_st") == keepers("renhua_rural") == {("county", world.renhua.pk)}
    assert keepers("nanxiong_st") == {("county", world.nanxiong.pk)}
    for nobody in ("qy_city_st", "yingde_st", "qy_expert", "leader", "expert", "renhua_county_town"):
        assert keepers(nobody) == set(), nobody
        assert not restrict(Disbursement, world[nobody]).exists() or nobody in ("leader", "renhua_county_town")
    assert set(restrict(Grant, world["city_st"])) == {city_grant, county_grant}
    assert set(restrict(Grant, world["renhua_st"])) == {county_grant}
    assert not restrict(Grant, world["nanxiong_st"]).exists()
    for nobody in ("qy_city_st", "yingde_st", "qy_expert", "expert", "other_leader"):
        assert not restrict(Grant, world[nobody]).exists(), nobody
    # The team, its town and its unit read their grants.
    assert set(restrict(Grant, world["leader"])) == {city_grant}
    assert set(restrict(Grant, world["leader_%d" % county_grant.team_id])) == {county_grant}
    assert set(restrict(Grant, world["renhua_county_town"])) == {county_grant}
    # The city reads every county's figures, summed by the database.
    rows = {(e.organizer_level, e.county_id): e for e in selectors.envelopes_with_figures(
        restrict(Envelope, world["city_st"]))}
    renhua = rows[("county", world.renhua.pk)]
    assert (renhua.committed, renhua.disbursed, renhua.remaining) == (Decimal("60000.00"), Decimal("10000.00"),
                                                                      Decimal("440000.00"))
    assert (rows[("city", None)].committed, rows[("city", None)].disbursed) == (Decimal("80000.00"), Decimal("0"))
    assert rows[("county", world.nanxiong.pk)].committed == Decimal("0")


# ------------------------------------------------------------------------------------------------ races
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers by design; the race runs on PostgreSQL")
def test_two_tranches_at_once_never_exceed_the_grant(transactional_db, world):
    review, _project = approved_review(world)
    envelope(world)
    grant = services.grant_create(actor=world["city_st"], review=review, values=grant_values())
    for _attempt in range(3):
        Disbursement.objects.filter(grant=grant).delete()
        barrier = threading.Barrier(2)
        results = [None, None]

        def run(index):
            try:
                from accounts.models import User

                actor = User.objects.get(username="city_st")
                barrier.wait()
                services.disbursement_add(actor=actor, grant=Grant.objects.get(pk=grant.pk), amount="50000",
                                          paid_on=TODAY(), voucher=voucher())
                results[index] = "ok"
            except ValidationError as error:
                results[index] = error
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert results.count("ok") == 1, results
        loser = next(r for r in results if r != "ok")
        assert loser.message_dict["amount"] == ["拨付金额超出尚未拨付的资助金额（尚余30,000.00元）。"]
        row = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get()
        assert row.disbursed == Decimal("50000.00")


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers by design; the race runs on PostgreSQL")
def test_two_grants_at_once_never_exceed_the_envelope(transactional_db, world):
    first, _project = approved_review(world)
    second, _project = approved_review(world, town=world.nanxiong_city_town, team=world.other_team, pool=False)
    envelope(world, budgeted="100000")
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index, review, number):
        try:
            from accounts.models import User

            actor = User.objects.get(username="city_st")
            barrier.wait()
            services.grant_create(actor=actor, review=Review.objects.get(pk=review.pk),
                                  values=grant_values(project_number=number, amount="60000"))
            results[index] = "ok"
        except ValidationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(0, first, "KTP-A")),
               threading.Thread(target=run, args=(1, second, "KTP-B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results.count("ok") == 1, results
    assert figures(world).committed == Decimal("60000.00")
