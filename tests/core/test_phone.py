"""Phone numbers as people type them, made into the E.164 digits CarrierX takes."""

import subprocess
import sys

import pytest

from gui.core.phone import PhoneNumber, keypad_digits, normalize
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("typed", "region", "digits"),
    [
        ("+1 (516) 206-5318", "US", "15162065318"),
        ("516-206-5318", "US", "15162065318"),
        ("(516) 206 5318", "US", "15162065318"),
        ("516.206.5318", "US", "15162065318"),
        ("15162065318", "US", "15162065318"),
        ("+15162065318", "US", "15162065318"),
        ("  1 516 206 5318  ", "US", "15162065318"),
        ("1-800-FLOWERS", "US", "18003569377"),
        ("800-flowers", "US", "18003569377"),
        ("+44 20 7946 0958", "US", "442079460958"),
        ("011 44 20 7946 0958", "US", "442079460958"),  # the US international prefix
        ("00 44 20 7946 0958", "US", "442079460958"),  # 00, as most of the world dials
        ("020 7946 0958", "GB", "442079460958"),
        ("00 1 516 206 5318", "GB", "15162065318"),
        ("516-206-5318", "us", "15162065318"),  # the region in any case
    ],
)
def test_numbers_people_type(typed, region, digits):
    number = normalize(typed, region)
    assert number == PhoneNumber(ok=True, digits=digits, e164="+" + digits, message="")


@pytest.mark.parametrize(
    ("typed", "region", "words"),
    [
        ("", "US", "no number"),
        ("   ", "US", "no number"),
        ("12", "US", "too short"),
        ("555-0100", "US", "local number: add the area code"),
        ("+1 516 206 53181234567", "US", "too long"),
        ("1-800-FLOWERS-NOW", "US", "too long"),
        ("+999 123", "US", "country code is not valid"),
        ("hello", "US", "not a phone number"),
        ("---", "US", "not a phone number"),
        ("516;206;5318", "US", "cannot contain ';'"),
        ("1+5162065318", "US", "+ can only come first"),
        ("516-206-5318 ext 12", "US", "extension"),
        ("(516) 206-5318x3", "US", "extension"),
        ("+1 555 555 0100", "US", "not a valid number"),  # 555 is no area code
        ("5162065318", "XX", "not a known region"),
        ("5" * 80, "US", "too long"),
    ],
)
def test_numbers_refused_with_a_reason(typed, region, words):
    number = normalize(typed, region)
    assert not number.ok
    assert number.digits == number.e164 == ""
    assert words in number.message


def test_not_strict_accepts_a_possible_number_in_no_known_range():
    # The sandbox's DIDs are fictional 555 numbers: possible, but in no real range.
    number = normalize("1 (555) 555-0100", strict=False)
    assert (number.ok, number.digits, number.e164) == (True, "15555550100", "+15555550100")
    assert "not a valid number" in number.message
    assert not normalize("12", strict=False).ok


def test_keypad_digits():
    assert keypad_digits("1-800-FLOWERS") == "1-800-3569377"
    assert keypad_digits("abc def ghi jkl mno pqrs tuv wxyz") == (
        "222 333 444 555 666 7777 888 9999"
    )
    assert keypad_digits("+1 (516) 206-5318") == "+1 (516) 206-5318"
    assert keypad_digits("") == ""


def test_importing_the_module_does_not_import_phonenumbers():
    code = "import sys, gui.core.phone; print('phonenumbers' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr
