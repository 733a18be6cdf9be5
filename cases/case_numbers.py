"""HK court case numbers: ``HCA 1234/2024``.

The Judiciary's own systems pad the serial (``HCA001234/2024``); people type
``hca 1234 / 2024``. All of them mean the same case and are stored one way:
``PREFIX SERIAL/YEAR`` with no padding.
"""

import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ValidationFailed

_PATTERN = re.compile(r"^\s*([A-Za-z]{2,5})\s*0*(\d{1,7})\s*/\s*(\d{2,4})\s*$")
EARLIEST_YEAR = 1950


@dataclass(frozen=True)
class CaseNumber:
    prefix: str
    serial: int
    year: int

    def __str__(self):
        return f"{self.prefix} {self.serial}/{self.year}"


def parse_case_number(text: str) -> CaseNumber:
    """The canonical case number, or ValidationFailed saying what is wrong with it."""
    example = _("Enter a case number like HCA 1234/2024.")
    match = _PATTERN.match(text or "")
    if not match:
        raise _invalid(example)
    prefix, serial, year = match.group(1).upper(), int(match.group(2)), match.group(3)
    if len(year) != 4:
        raise _invalid(_("Write the year in full, like HCA 1234/2024."))
    if serial == 0:
        raise _invalid(_("The serial number cannot be 0. %(example)s") % {"example": example})
    if not EARLIEST_YEAR <= int(year) <= timezone.localdate().year:
        raise _invalid(_("The year %(year)s is not possible for a case number.") % {"year": year})
    return CaseNumber(prefix, serial, int(year))


def _invalid(message) -> ValidationFailed:
    return ValidationFailed(message, fields={"case_number": [message]})
