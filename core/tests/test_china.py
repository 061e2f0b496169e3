"""Tests for core.china: identity numbers, credit codes, phones, division codes, working days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

# No example database: the suite must not write into the repository.
checksum_settings = settings(database=None, max_examples=200)

from core.china import (
    CREDIT_CODE_CHARSET,
    add_working_days,
    calendar_covers,
    format_cn_date,
    id_number_gender,
    is_working_day,
    make_credit_code,
    make_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    notice_period,
    validate_credit_code,
    validate_division_code,
    validate_id_number,
    validate_mobile,
    validate_phone,
    working_days_between,
)

# A real-format example: Renhua County address code, 1990-01-01, sequence 123.
RENHUA_ID = make_id_number("440224", dt.date(1990, 1, 1), 123)


def error_text(excinfo: pytest.ExceptionInfo) -> str:
    return " ".join(excinfo.value.messages)


# --------------------------------------------------------------------------
# Identity numbers
# --------------------------------------------------------------------------

addresses = st.integers(min_value=110000, max_value=829999).map(str)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@checksum_settings
@given(address=addresses, birth_date=birth_dates, sequence=sequences)
def test_it_accepts_every_made_id_number(address, birth_date, sequence):
    number = make_id_number(address, birth_date, sequence)
    assert len(number) == 18
    validate_id_number(number)
    validate_id_number(number.lower())


@checksum_settings
@given(
    address=addresses,
    birth_date=birth_dates,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_it_rejects_an_id_number_with_one_character_changed(address, birth_date, sequence, position, replacement):
    number = make_id_number(address, birth_date, sequence)
    changed = number[:position] + replacement + number[position + 1 :]
    if changed == number:
        return
    with pytest.raises(ValidationError):
        validate_id_number(changed)


def test_it_explains_a_wrong_id_check_character():
    wrong = RENHUA_ID[:17] + ("0" if RENHUA_ID[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(wrong)
    assert "校验位" in error_text(excinfo)


def test_it_rejects_an_id_number_with_an_impossible_birth_date():
    first17 = "440224" + "19900230" + "123"
    # Compute a correct check char so only the date is wrong.
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(first17 + check)
    assert "出生日期" in error_text(excinfo)


def test_it_rejects_an_id_number_born_in_the_future():
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError):
        validate_id_number(make_id_number("440224", tomorrow, 1))


@pytest.mark.parametrize("value", ["", "44022419900101123", "4402241990010112345", "44022419900101123Y"])
def test_it_rejects_malformed_id_numbers(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert "18位" in error_text(excinfo)


def test_it_reads_gender_from_the_17th_digit():
    assert id_number_gender(make_id_number("440224", dt.date(1990, 1, 1), 123)) == "male"
    assert id_number_gender(make_id_number("440224", dt.date(1990, 1, 1), 124)) == "female"


def test_it_normalizes_and_masks_id_numbers():
    number = make_id_number("440224", dt.date(1985, 6, 15), 0)
    while not number.endswith("X"):  # find one ending in X to check upper-casing
        number = make_id_number("440224", dt.date(1985, 6, 15), int(number[14:17]) + 1)
    assert normalize_id_number(" " + number.lower() + " ") == number
    masked = mask_id_number(number.lower())
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert masked.startswith("4402") and masked.endswith("X")


# --------------------------------------------------------------------------
# Unified social credit codes
# --------------------------------------------------------------------------

charset_chars = st.sampled_from(CREDIT_CODE_CHARSET)
first17s = st.builds(
    lambda head, division, organization: "".join(head) + division + "".join(organization),
    st.lists(charset_chars, min_size=2, max_size=2),
    st.integers(min_value=110000, max_value=829999).map(str),
    st.lists(charset_chars, min_size=9, max_size=9),
)


@checksum_settings
@given(first17=first17s)
def test_it_accepts_every_made_credit_code(first17):
    code = make_credit_code(first17)
    assert len(code) == 18
    validate_credit_code(code)
    validate_credit_code(code.lower())


@checksum_settings
@given(first17=first17s, position=st.integers(min_value=0, max_value=17), replacement=charset_chars)
def test_it_rejects_a_credit_code_with_one_character_changed(first17, position, replacement):
    code = make_credit_code(first17)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed == code:
        return
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


def test_it_accepts_a_known_credit_code():
    # A published code (Tencent, Shenzhen): 9144030071526726XG.
    assert validate_credit_code("9144030071526726XG") is None  # no ValidationError


@pytest.mark.parametrize(
    "value", ["9144030071526726X", "9144030071526726XGG", "9144030071526726XI", "91440300715267260O"]
)
def test_it_rejects_malformed_credit_codes(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    assert "统一社会信用代码" in error_text(excinfo)


# --------------------------------------------------------------------------
# Phones and division codes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13800138000", "19912345678", " 138 0013 8000 ", "+8613800138000"])
def test_it_accepts_mobile_numbers(value):
    assert validate_mobile(value) is None and validate_phone(value) is None


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "138001380000", "0751-8888888", "abc"])
def test_it_rejects_bad_mobile_numbers(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_mobile(value)
    assert "手机号码" in error_text(excinfo)


@pytest.mark.parametrize(
    "value", ["0751-8888888", "07518888888", "020-88888888", "0751-8888888-123", "（0751）8888888"]
)
def test_it_accepts_landlines(value):
    assert validate_phone(value) is None


@pytest.mark.parametrize("value", ["751-8888888", "0751-88888", "8888888", "1234"])
def test_it_rejects_bad_phone_numbers(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(value)
    assert "0751-8888888" in error_text(excinfo)


def test_it_masks_phone_numbers():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0751-8888888").endswith("8888")
    assert "****" in mask_phone("0751-8888888")


@pytest.mark.parametrize("value", ["44", "4402", "440224", "440224111", "440224111001"])
def test_it_accepts_division_codes_of_every_level(value):
    assert validate_division_code(value) is None


def test_it_checks_division_code_levels():
    validate_division_code("440224111", level="town")
    validate_division_code("440224", level=6)
    with pytest.raises(ValidationError) as excinfo:
        validate_division_code("440224", level="town")
    assert "9位数字" in error_text(excinfo)


@pytest.mark.parametrize("value", ["4402241", "44022A", "", "４４０２"])
def test_it_rejects_bad_division_codes(value):
    with pytest.raises(ValidationError):
        validate_division_code(value)


# --------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------


def test_it_knows_national_day_2024_and_its_makeup_days():
    assert is_working_day(dt.date(2024, 9, 29))  # Sunday, make-up working day
    assert is_working_day(dt.date(2024, 10, 12))  # Saturday, make-up working day
    for day in range(1, 8):
        assert not is_working_day(dt.date(2024, 10, day))
    assert is_working_day(dt.date(2024, 10, 8))


def test_it_counts_a_notice_period_across_national_day_2024():
    period = notice_period(dt.date(2024, 9, 27), 5)
    # Fri 27, Sun 29 (make-up), Mon 30, then Tue 8 and Wed 9 October.
    assert period.first_day == dt.date(2024, 9, 27)
    assert period.last_day == dt.date(2024, 10, 9)
    assert period.ends_at == dt.datetime(2024, 10, 9, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert period.uses_fallback is False


def test_it_counts_working_days_between_inclusive():
    # Sep 29 (make-up), Sep 30, Oct 8-11, Oct 12 (make-up Saturday).
    assert working_days_between(dt.date(2024, 9, 28), dt.date(2024, 10, 13)) == 7
    assert working_days_between(dt.date(2024, 10, 1), dt.date(2024, 10, 7)) == 0
    assert working_days_between(dt.date(2024, 10, 9), dt.date(2024, 10, 8)) == 0


def test_it_counts_a_makeup_saturday_as_day_one():
    assert add_working_days(dt.date(2024, 10, 12), 1) == dt.date(2024, 10, 12)
    assert add_working_days(dt.date(2024, 10, 12), 2) == dt.date(2024, 10, 14)


def test_it_skips_the_2025_spring_festival():
    # Holiday Jan 28 - Feb 4 2025; Sun Jan 26 and Sat Feb 8 are make-up days.
    assert is_working_day(dt.date(2025, 1, 26))
    assert not is_working_day(dt.date(2025, 1, 28))
    assert not is_working_day(dt.date(2025, 2, 4))
    assert is_working_day(dt.date(2025, 2, 8))
    assert add_working_days(dt.date(2025, 1, 27), 2) == dt.date(2025, 2, 5)
    period = notice_period(dt.date(2025, 1, 28), 5)
    assert (period.first_day, period.last_day) == (dt.date(2025, 2, 5), dt.date(2025, 2, 10))


def test_it_falls_back_to_monday_to_friday_for_uncovered_years():
    assert not calendar_covers(2031)
    assert calendar_covers(2024)
    # 2031-01-01 is a Wednesday; the fallback does not know New Year's Day.
    period = notice_period(dt.date(2031, 1, 1), 5)
    assert period.first_day == dt.date(2031, 1, 1)
    assert period.last_day == dt.date(2031, 1, 7)
    assert period.uses_fallback is True
    assert not is_working_day(dt.date(2031, 1, 4))  # Saturday


def test_it_flags_a_period_that_runs_into_an_uncovered_year():
    last_covered = max(year for year in range(2020, 2040) if calendar_covers(year))
    period = notice_period(dt.date(last_covered, 12, 28), 10)
    assert period.last_day.year == last_covered + 1
    assert period.uses_fallback is True


@settings(database=None, max_examples=50)
@given(start=st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2035, 12, 31)), n=st.integers(1, 30))
def test_it_agrees_between_adding_and_counting_working_days(start, n):
    last_day = add_working_days(start, n)
    assert is_working_day(last_day)
    assert working_days_between(start, last_day) == n


def test_it_formats_dates_as_in_official_documents():
    assert format_cn_date(dt.date(2021, 12, 31)) == "2021年12月31日"
    assert format_cn_date(dt.date(2021, 1, 5)) == "2021年1月5日"
