"""Serial numbers for printed forms, e.g. ``DOV-00042-7``: campaign prefix, number, check digit.

The check digit uses the Damm algorithm (H. Michael Damm, "Total anti-symmetrische
Quasigruppen", dissertation, Philipps-Universität Marburg, 2004). It was chosen over
the alternatives because it detects *every* single-digit error and *every* transposition
of two adjacent digits, the two commonest keying errors, with one decimal digit:
the Luhn algorithm misses the transposition 09 <-> 90, and the Verhoeff algorithm needs
a permutation table besides its (non-commutative) multiplication table. A serial that
fails the check is refused before the database is asked, so a mistyped serial can never
open another person's form.

Numbers are unique across all campaigns, so the number with its check digit identifies a
form by itself; the prefix only helps people sort paper by campaign. This module imports
nothing from Flask or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The weakly totally anti-symmetric quasigroup of order 10 with a zero diagonal published by
# Damm (2004) and reproduced in the Wikipedia article "Damm algorithm".
DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
NUMBER_WIDTH = 5  # DOV-00042-7; numbers past 99999 simply grow wider
EXAMPLE = "DOV-00042-7"
_TYPED = re.compile(r"^(?P<prefix>[A-Z]*)-?(?P<digits>[0-9][0-9-]*)\Z")


class SerialError(ValueError):
    """A typed serial that is not well formed or fails its check digit; the message is fit to show."""


def _interim(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = DAMM_TABLE[interim][int(digit)]
    return interim


def damm_check_digit(digits: str) -> int:
    """The Damm check digit of a string of decimal digits (``damm_check_digit("572") == 4``)."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(f"{digits!r} is not a string of decimal digits")
    return _interim(digits)


def damm_is_valid(digits: str) -> bool:
    """True if the last digit of `digits` is the Damm check digit of the ones before it."""
    return len(digits) >= 2 and digits.isascii() and digits.isdigit() and _interim(digits) == 0


def campaign_prefix(slug: str) -> str:
    """Three capital letters from a campaign slug: ``dover-town`` -> ``DOV``."""
    letters = "".join(ch for ch in slug.upper() if "A" <= ch <= "Z")
    return letters[:3] or "PF"


def format_serial(prefix: str, number: int) -> str:
    """``format_serial("DOV", 42) == "DOV-00042-7"``."""
    if number < 1:
        raise ValueError(f"serial numbers start at 1, got {number}")
    padded = f"{number:0{NUMBER_WIDTH}d}"
    return f"{prefix}-{padded}-{damm_check_digit(padded)}"


@dataclass(frozen=True)
class TypedSerial:
    """A typed serial that passed its check digit; `prefix` is "" when only digits were typed."""

    prefix: str
    number: int
    check: int

    @property
    def suffix(self) -> str:
        """The number and check digit as stored at the end of every serial: ``-00042-7``."""
        return f"-{self.number:0{NUMBER_WIDTH}d}-{self.check}"


def parse_serial(typed: str) -> TypedSerial:
    """Read a serial as typed (any case, hyphens and spaces optional, prefix optional).

    ``DOV-00042-7``, ``dov 00042 7``, ``00042-7`` and ``427`` all read as number 42 with check
    digit 7. Raises SerialError with a message for the person typing.
    """
    cleaned = "".join(typed.split()).upper()
    if not cleaned:
        raise SerialError(f"Type the serial number printed at the top of the form, for example {EXAMPLE}.")
    match = _TYPED.match(cleaned)
    digits = match.group("digits").replace("-", "") if match else ""
    if match is None or len(digits) < 2:
        raise SerialError(
            f"“{typed.strip()}” is not a serial number. Serials look like {EXAMPLE}: "
            "letters, a number and one check digit."
        )
    if not damm_is_valid(digits):
        raise SerialError(
            f"“{typed.strip()}” is not a valid serial number: its check digit (the last digit) does not match, "
            "so a digit is probably mistyped or two digits are swapped. Check the number on the form and type it again."
        )
    number = int(digits[:-1])
    if number < 1:
        raise SerialError(f"“{typed.strip()}” is not a serial number: serial numbers start at 1.")
    return TypedSerial(prefix=match.group("prefix"), number=number, check=int(digits[-1]))
