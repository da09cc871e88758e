"""Resident ID numbers (居民身份证号码, GB 11643-1999) and mainland mobile numbers.

The check digit (ISO 7064 MOD 11-2) is python-stdnum's ``cn.ric``; the region codes
are its table (``stdnum/cn/loc.dat``), which lags behind reality, so an unknown region is
a warning, not a refusal.

A region code is known when it has existed at any time. python-stdnum's own check
(``ric.get_birth_place``) asks for the code in force in the *birth* year, but a number
keeps the code of the place where it was first issued, and the 18-character numbers date
from 1999 (many converted from earlier 15-digit ones): a worker born in 1970 in 桥西区
(130703, created 1983) holds a perfectly good number. So only a code that never existed
is warned about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from stdnum import numdb
from stdnum.cn import ric

_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
EARLIEST_BIRTH = date(1870, 1, 1)  # the standard's own example is born in 1880


class InvalidIdNumber(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    region: str | None  # e.g. "北京市 朝阳区"; None for a code that never existed

    @property
    def warnings(self) -> list[str]:
        if self.region is None:
            return [
                _(
                    "The region code %(code)s is not in the reference table; check the number"
                    " against the ID card.",
                    code=self.number[:6],
                )
            ]
        return []


def region_name(code: str) -> str | None:
    """The place a 6-digit region code names (``"河北省 桥西区"``), by its latest name, or
    None when the code never existed in python-stdnum's table."""
    found: dict[str, str] = {}
    for _part, properties in numdb.get("cn/loc").info(code):
        found.update(properties)
    county = found.get("county")
    if not county:
        return None
    # "[1983-1994]东矿区,[1995-]古冶区": names in time order, each with the years it held.
    latest = county.split(",")[-1]
    name = latest.split("]", 1)[1] if latest.startswith("[") else latest
    return " ".join(v for v in (found.get("province"), name) if v)


def normalise(text: str) -> str:
    """Full-width digits to ASCII, spaces removed, a lower-case x made upper-case."""
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").strip().upper()


def parse_resident_id(text: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number; raise :class:`InvalidIdNumber`."""
    number = normalise(text)
    if not number:
        raise InvalidIdNumber(_("Enter the resident ID number."))
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber(
            _("15-digit ID numbers (issued before 1999) are not accepted; enter the 18-character number.")
        )
    if not _SHAPE.match(number):
        raise InvalidIdNumber(_("An ID number has 17 digits and a final digit or X (18 characters)."))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("The birth date in this ID number does not exist.")) from None
    if birth < EARLIEST_BIRTH or birth > (today or date.today()):
        raise InvalidIdNumber(_("The birth date in this ID number is impossible."))
    # calc_check_digit reads the first 17 characters of the whole 18-character number.
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidIdNumber(_("The check digit of this ID number is wrong; check for a typing error."))
    region = region_name(number[:6])
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex, region=region)


def normalise_mobile(text: str) -> str:
    """A mainland mobile number, digits only; raise :class:`ValueError` if it is not one."""
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _MOBILE.match(digits):
        raise ValueError(_("A mainland mobile number has 11 digits and starts with 13–19."))
    return digits
