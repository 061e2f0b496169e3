"""Chinese identity numbers, codes, phone numbers and working days.

Pure helpers (no models, no database): validators raise
``django.core.exceptions.ValidationError`` with lazily translated Chinese
messages, so they can be used in model fields, forms and spreadsheet imports.
The rules come from the public standards, see ``CHINA-CONVENTIONS.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "SHANGHAI",
    "CREDIT_CODE_CHARSET",
    "NoticePeriod",
    "add_working_days",
    "calendar_covers",
    "format_cn_date",
    "id_number_birth_date",
    "id_number_gender",
    "is_working_day",
    "make_credit_code",
    "make_id_number",
    "mask_id_number",
    "mask_phone",
    "normalize_credit_code",
    "normalize_id_number",
    "normalize_phone",
    "notice_period",
    "validate_credit_code",
    "validate_division_code",
    "validate_id_number",
    "validate_mobile",
    "validate_phone",
    "working_days_between",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------
# Resident identity number (GB 11643-1999)
# --------------------------------------------------------------------------

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK_CHARS = "10X98765432"
_ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")


def normalize_id_number(value: str | None) -> str:
    """Return the ID number stripped of surrounding spaces and upper-cased."""
    if value is None:
        return ""
    return str(value).strip().replace("\u3000", "").upper()


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_NUMBER_WEIGHTS))
    return ID_NUMBER_CHECK_CHARS[total % 11]


def _id_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str, *, today: dt.date | None = None) -> None:
    """Validate a resident identity number (公民身份号码, 18 characters).

    Checks the shape, that the address code is not zero, that the birth date
    is a real date not in the future, and the check character. A lowercase
    ``x`` is accepted (store the normalized, upper-case form).
    """
    number = normalize_id_number(value)
    if len(number) != 18 or not _ID_NUMBER_RE.match(number):
        raise ValidationError(
            _("身份证号码应为18位，前17位为数字，最后一位为数字或X。"), code="id_number_format"
        )
    if number[:6] == "000000" or number[0] == "0":
        raise ValidationError(_("身份证号码的地址码不正确。"), code="id_number_address")
    birth_date = _id_birth_date(number)
    today = today or dt.datetime.now(SHANGHAI).date()
    if birth_date is None or birth_date.year < 1850 or birth_date > today:
        raise ValidationError(_("身份证号码中的出生日期不正确。"), code="id_number_birth_date")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("身份证号码校验位不正确，请核对后重新填写。"), code="id_number_checksum"
        )


def id_number_gender(value: str) -> str:
    """Return ``'male'`` or ``'female'`` from the 17th digit (odd = male)."""
    number = normalize_id_number(value)
    if len(number) < 17 or not number[16].isdigit():
        raise ValueError("not an 18-character identity number")
    return "male" if int(number[16]) % 2 else "female"


def id_number_birth_date(value: str) -> dt.date | None:
    """Return the birth date encoded in an ID number, or None if it is not a date."""
    number = normalize_id_number(value)
    if len(number) < 14:
        return None
    return _id_birth_date(number)


def mask_id_number(value: str) -> str:
    """Mask an ID number as ``4402**********123X`` (first 4 and last 4 kept)."""
    number = normalize_id_number(value)
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make_id_number(address6: str, birth_date: dt.date, sequence3: int | str) -> str:
    """Build a valid ID number (used by test factories): the check char is computed."""
    address6 = str(address6)
    if len(address6) != 6 or not address6.isdigit():
        raise ValueError("address code must have 6 digits")
    sequence = f"{int(sequence3):03d}"
    if len(sequence) != 3:
        raise ValueError("sequence must be 0..999")
    first17 = f"{address6}{birth_date:%Y%m%d}{sequence}"
    return first17 + id_number_check_char(first17)


# --------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# --------------------------------------------------------------------------

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_CHARSET)}
_CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalize_credit_code(value: str | None) -> str:
    """Return the credit code stripped of spaces and upper-cased."""
    if value is None:
        return ""
    return str(value).strip().replace("\u3000", "").replace(" ", "").upper()


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    total = sum(
        _CREDIT_CODE_VALUES[char] * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS)
    )
    check = 31 - total % 31
    return CREDIT_CODE_CHARSET[0 if check == 31 else check]


def validate_credit_code(value: str) -> None:
    """Validate a unified social credit code (统一社会信用代码, 18 characters)."""
    code = normalize_credit_code(value)
    if len(code) != 18 or not _CREDIT_CODE_RE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V），第3至8位为行政区划代码。"),
            code="credit_code_format",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对后重新填写。"), code="credit_code_checksum"
        )


def make_credit_code(first17: str) -> str:
    """Append the check character to 17 characters (used by test factories)."""
    first17 = normalize_credit_code(first17)
    if len(first17) != 17 or any(char not in _CREDIT_CODE_VALUES for char in first17):
        raise ValueError("need 17 characters from the credit code charset")
    return first17 + credit_code_check_char(first17)


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0 + 2-3 digits, optional dash, 7-8 digit number, optional extension.
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:(?:-|转|#|ext\.?|x)\d{1,6})?$", re.IGNORECASE)
_PHONE_STRIP_RE = re.compile(r"[\s\u3000]+")
_FULLWIDTH_TABLE = str.maketrans("０１２３４５６７８９－—", "0123456789--")


def normalize_phone(value: str | None) -> str:
    """Strip spaces, turn full-width digits/dashes into ASCII, drop a +86 prefix."""
    if value is None:
        return ""
    text = _PHONE_STRIP_RE.sub("", str(value))
    text = text.translate(_FULLWIDTH_TABLE)
    text = text.replace("（", "(").replace("）", ")")
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    elif text.startswith("0086"):
        text = text[4:].lstrip("-")
    # (0751)8888888 -> 0751-8888888
    match = re.match(r"^\((0\d{2,3})\)-?(.*)$", text)
    if match:
        text = f"{match.group(1)}-{match.group(2)}"
    return text



def validate_mobile(value: str) -> None:
    """Validate a mainland mobile number: 11 digits, ``^1[3-9]\\d{9}$``."""
    if not _MOBILE_RE.match(normalize_phone(value)):
        raise ValidationError(
            _("手机号码应为11位数字，以1开头，例如13800138000。"), code="mobile"
        )


def validate_phone(value: str) -> None:
    """Validate a mobile number or a landline such as ``0751-8888888`` (extension allowed)."""
    phone = normalize_phone(value)
    if _MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone):
        return
    raise ValidationError(
        _("电话号码格式不正确：手机号码为11位数字，固定电话如0751-8888888。"), code="phone"
    )


def mask_phone(value: str) -> str:
    """Mask a mobile number as ``138****5678``; landlines keep area code and last 4."""
    phone = normalize_phone(value)
    if len(phone) < 7:
        return "*" * len(phone)
    if _MOBILE_RE.match(phone):
        return phone[:3] + "****" + phone[7:]
    return phone[:-8] + "****" + phone[-4:] if len(phone) > 8 else "****" + phone[-4:]


# --------------------------------------------------------------------------
# Statistical division codes (统计用区划代码)
# --------------------------------------------------------------------------

DIVISION_LEVEL_LENGTHS = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}


def validate_division_code(value: str, level: str | int | None = None) -> None:
    """Validate a division code: digits only, 2/4/6/9/12 long.

    ``level`` narrows the accepted length: a name (``'province'``, ``'city'``,
    ``'county'``, ``'town'``, ``'village'``) or the length itself.
    """
    code = str(value or "").strip()
    if level is None:
        allowed = set(DIVISION_LEVEL_LENGTHS.values())
    elif isinstance(level, int):
        allowed = {level}
    else:
        allowed = {DIVISION_LEVEL_LENGTHS[level]}
    if not code.isascii() or not code.isdigit() or len(code) not in allowed:
        lengths = "、".join(str(length) for length in sorted(allowed))
        raise ValidationError(
            _("区划代码应为%(lengths)s位数字。"),
            code="division_code",
            params={"lengths": lengths},
        )
    if code[:2] == "00":
        raise ValidationError(_("区划代码的省级代码不正确。"), code="division_code_province")


# --------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------


@lru_cache(maxsize=None)
def calendar_covers(year: int) -> bool:
    """True if ``chinese_calendar`` knows the holidays of ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    """True if ``day`` is a working day (holidays and make-up workdays included).

    Years the calendar package does not cover fall back to Monday–Friday.
    """
    if isinstance(day, dt.datetime):
        day = day.date()
    if calendar_covers(day.year):
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # pragma: no cover - partial-year data
            pass
    return day.weekday() < 5


def add_working_days(start_date: dt.date, n: int) -> dt.date:
    """Return working day number ``n`` counting the first working day on or after ``start_date`` as day 1."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = start_date
    count = 0
    while True:
        if is_working_day(day):
            count += 1
            if count == n:
                return day
        day += dt.timedelta(days=1)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Count working days from ``a`` to ``b`` inclusive (0 if ``b`` is before ``a``)."""
    count = 0
    day = a
    one_day = dt.timedelta(days=1)
    while day <= b:
        if is_working_day(day):
            count += 1
        day += one_day
    return count


@dataclass(frozen=True)
class NoticePeriod:
    """A public-notice period of n working days."""

    first_day: dt.date
    last_day: dt.date
    ends_at: dt.datetime
    working_days: int
    uses_fallback: bool


def notice_period(start_date: dt.date, n: int) -> NoticePeriod:
    """Return the notice period of ``n`` working days starting on or after ``start_date``.

    ``ends_at`` is 23:59:59 Asia/Shanghai on the last day; ``uses_fallback``
    is True if any year in the span is outside the holiday calendar (the page
    should then say the dates assume Monday–Friday).
    """
    first_day = add_working_days(start_date, 1)
    last_day = add_working_days(start_date, n)
    ends_at = dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=SHANGHAI)
    uses_fallback = any(
        not calendar_covers(year) for year in range(start_date.year, last_day.year + 1)
    )
    return NoticePeriod(
        first_day=first_day,
        last_day=last_day,
        ends_at=ends_at,
        working_days=n,
        uses_fallback=uses_fallback,
    )


def format_cn_date(value: dt.date) -> str:
    """Format a date as in official documents: ``2021年12月31日`` (no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日"
