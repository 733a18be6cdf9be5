import pytest
from django.utils import timezone

from cases.case_numbers import parse_case_number
from config.errors import ValidationFailed


@pytest.mark.parametrize(("typed", "canonical"), [
    ("HCA 1234/2024", "HCA 1234/2024"),
    ("hca 1234/2024", "HCA 1234/2024"),
    ("HCA1234/2024", "HCA 1234/2024"),
    ("HCA001234/2024", "HCA 1234/2024"),
    ("  DCCJ 567 / 2025 ", "DCCJ 567/2025"),
    ("FACV000011/2007", "FACV 11/2007"),
])
def test_case_numbers_are_stored_in_one_canonical_form(typed, canonical):
    assert str(parse_case_number(typed)) == canonical


@pytest.mark.parametrize(("typed", "message"), [
    ("HCA 0/2024", "cannot be 0"),
    ("HCA 0/24", "Write the year in full"),
    ("HCA 12/24", "Write the year in full"),
    (f"HCA 12/{timezone.localdate().year + 1}", "is not possible"),
    ("HCA 12/1899", "is not possible"),
    ("1234/2024", "like HCA 1234/2024"),
    ("HCA-12-2024", "like HCA 1234/2024"),
    ("", "like HCA 1234/2024"),
])
def test_bad_case_numbers_say_what_is_wrong(typed, message):
    with pytest.raises(ValidationFailed, match=message) as error:
        parse_case_number(typed)
    assert "case_number" in error.value.fields
