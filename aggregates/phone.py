"""Phone numbers, normalised so that any common spelling of one number matches."""

import re

from aggregates.errors import InvalidValue

_NOT_DIGITS = re.compile(r"[^\d]")
_ALLOWED = re.compile(r"^\+?[\d\s().\-]+$")


def normalize_phone(raw: str, field: str = "phone") -> str:
    """Return the number in E.164 form (``+74951234567``).

    Russian habits are understood: a leading 8 is the trunk prefix of +7, and a bare
    ten-digit number is a Russian one. Other countries need their ``+`` code.
    """
    text = raw.strip()
    if not text or not _ALLOWED.match(text):
        raise InvalidValue(field, f"{raw!r} is not a phone number")
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+"):
        number = digits
    elif len(digits) == 11 and digits[0] in "78":
        number = "7" + digits[1:]
    elif len(digits) == 10:
        number = "7" + digits
    else:
        raise InvalidValue(field, f"{raw!r} is not a phone number: give +country code or a Russian number")
    if number.startswith("7") and len(number) != 11:
        raise InvalidValue(field, f"{raw!r}: a Russian number has 10 digits after +7")
    if not 8 <= len(number) <= 15:
        raise InvalidValue(field, f"{raw!r} has {len(number)} digits; E.164 allows 8 to 15")
    return "+" + number
