"""Phone numbers as people type them, made into what CarrierX takes: E.164 digits, no `+`.

    normalize("+1 (516) 206-5318").digits == "15162065318"
    normalize("1-800-FLOWERS").digits == "18003569377"

`phonenumbers` (slow-ish to import) is imported on the first `normalize`, so importing this
module costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYPAD = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}
MAX_INPUT = 64  # characters: far more than any number, with its punctuation, needs
MAX_DIGITS = 15  # the most an E.164 number has: the sandbox takes anything up to it
# What a typed number may hold: digits, keypad letters, + and the usual punctuation.
_ALLOWED = re.compile(r"[0-9A-Za-z+\s().\-/]*\Z")
_EXTENSION = re.compile(r"(?i)(?<=[\d\s.)])(?:ext(?:ension)?\.?|x|#)\s*\d+\s*\Z")


@dataclass(frozen=True)
class PhoneNumber:
    """The result of `normalize`: when `ok`, `digits` is what CarrierX takes (E.164 without
    the `+`) and `e164` has the `+`; else both are "" and `message` says what is wrong.
    A number accepted only by a lenient check is `ok` with a `message` saying what a
    strict one would refuse; one the sandbox takes that is no E.164 number has e164 ""."""

    ok: bool
    digits: str
    e164: str
    message: str


def keypad_digits(text: str) -> str:
    """`text` with its letters as the digits of a phone keypad (2 ABC ... 9 WXYZ);
    everything else is left as it is: keypad_digits("1-800-FLOWERS") == "1-800-3569377"."""
    return "".join(KEYPAD.get(char.upper(), char) if char.isascii() else char for char in text)


def _refused(message: str) -> PhoneNumber:
    return PhoneNumber(ok=False, digits="", e164="", message=message)


def normalize(
    text: str, region: str = "US", *, strict: bool = True, sandbox: bool = False
) -> PhoneNumber:
    """The number a person typed, checked and in E.164. `region` (two letters) says which
    country a number without `+` belongs to. With `strict` False, a number of a possible
    length that matches no known range (such as the fictional 555 numbers) is accepted.

    With `sandbox` True, any number a person would type is accepted, for a network that
    has none (the sandbox): a short or local number, a country code nobody has. Only what
    is no number at all (letters alone, an extension, odd characters, more than
    MAX_DIGITS digits) is refused. `message` then says what a real network would say
    (empty when nothing), and `e164` is "" when the digits are not an E.164 number."""
    import phonenumbers

    text = (text or "").strip()
    region = (region or "").strip().upper()
    problem = _not_a_number(text, region, phonenumbers.SUPPORTED_REGIONS)
    if problem:
        return _refused(problem)
    dialled = keypad_digits(text)
    compact = re.sub(r"[\s().\-/]", "", dialled)
    if compact.startswith("00") and not _starts_with_idd(compact, region):
        # 00 is the international prefix in most of the world: take it as + everywhere.
        dialled = "+" + compact[2:]
    if "+" in dialled.lstrip()[1:]:
        return _refused("a + can only come first, before the country code")
    number = _in_range(dialled, region, strict=strict and not sandbox)
    if number.ok or not sandbox:
        return number
    digits = "".join(char for char in dialled if char.isdigit())
    if len(digits) > MAX_DIGITS:
        return _refused(
            f"too long to be a phone number ({len(digits)} digits; {MAX_DIGITS} at most)"
        )
    message = number.message
    if message.startswith("this is not"):  # too few digits for phonenumbers to parse
        message = "too short to be a phone number"
    return PhoneNumber(ok=True, digits=digits, e164="", message=message)


def _not_a_number(text: str, region: str, regions) -> str | None:
    """Why `text` is no phone number at all, on any network (None when it may be one)."""
    if not text:
        return "no number was given"
    if len(text) > MAX_INPUT:
        return f"this is too long to be a phone number ({len(text)} characters)"
    if region not in regions:
        return (
            f"{region or 'an empty region'!r} is not a known region: give a two-letter "
            "country code such as US or GB"
        )
    if not _ALLOWED.match(text):
        odd = sorted({char for char in text if not _ALLOWED.match(char)})
        return "a phone number cannot contain " + ", ".join(repr(char) for char in odd)
    if _EXTENSION.search(text):
        return "a called number cannot have an extension; give the number alone"
    if not any(char.isdigit() for char in text):
        if any(char.isalpha() for char in text):
            return (
                "this is not a phone number (letters alone; a vanity number keeps its "
                "digits, such as 1-800-FLOWERS)"
            )
        return "this is not a phone number (it has no digits)"
    return None


def _in_range(dialled: str, region: str, *, strict: bool) -> PhoneNumber:
    """`dialled` (digits, maybe a leading +) checked against the numbering plans."""
    import phonenumbers
    from phonenumbers import NumberParseException, ValidationResult

    try:
        number = phonenumbers.parse(dialled, region)
    except NumberParseException as exc:
        return _refused(_parse_problem(exc.error_type))
    national = str(number.national_number)
    code = f"+{number.country_code}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.TOO_SHORT:
        return _refused(f"too short for a number with country code {code} ({national})")
    if reason == ValidationResult.TOO_LONG:
        return _refused(f"too long for a number with country code {code} ({national})")
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return _refused(f"{code} is not a country code")
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return _refused("this is a local number: add the area code")
    if reason != ValidationResult.IS_POSSIBLE:
        return _refused(f"{national} has the wrong number of digits for country code {code}")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        where = _place(phonenumbers, number.country_code)
        problem = f"{e164} is not a valid number {where} (no such area code or number range)"
        if strict:
            return _refused(problem)
        return PhoneNumber(ok=True, digits=e164[1:], e164=e164, message=problem)
    return PhoneNumber(ok=True, digits=e164[1:], e164=e164, message="")


def _starts_with_idd(compact: str, region: str) -> bool:
    """Whether `compact` starts with `region`'s own international prefix (00 in most of
    Europe, but 011 in the US)."""
    from phonenumbers import PhoneMetadata

    metadata = PhoneMetadata.metadata_for_region(region)
    prefix = getattr(metadata, "international_prefix", None)
    if not prefix:
        return False
    try:
        return re.match(prefix, compact) is not None
    except re.error:
        return False


def _place(phonenumbers, country_code: int) -> str:
    regions = phonenumbers.region_codes_for_country_code(country_code)
    if len(regions) == 1 and regions[0] != "001":
        return f"in {regions[0]}"
    return f"for country code +{country_code}"


def _parse_problem(error_type: int) -> str:
    from phonenumbers import NumberParseException as E

    return {
        E.INVALID_COUNTRY_CODE: "the country code is not valid (after + comes the country "
        "code, such as +1 or +44)",
        E.NOT_A_NUMBER: "this is not a phone number",
        E.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
        E.TOO_SHORT_NSN: "too short to be a phone number",
        E.TOO_LONG: "too long to be a phone number",
    }.get(error_type, "this is not a phone number")
