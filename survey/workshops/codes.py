"""Join codes: short enough to read out and type on a phone, too many to guess.

Eight characters from 21 that cannot be misread for one another on a projector or a phone
(no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B): 21^8 is about 3.8e10 codes, and wrong guesses are
rate-limited (WORKSHOP_CODE_LIMIT). Shown grouped (ABCD-EFGH); typed in any case, with or
without hyphens and spaces, everywhere (the URL, the /w form, the command line).
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "ACEFHJKMNPRTUVWXY3479"
LENGTH = 8
# Whatever people put between the groups: spaces, hyphens and the dashes phones substitute for them.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def new_code() -> str:
    """A fresh random code, normalised (as stored)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one (wrong length or characters).

    NFKC first: some phone keyboards (Japanese, Chinese) type fullwidth letters and digits ("ＡＢＣ３"),
    which are the same code to the person reading it off the screen.
    """
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed or "")).upper()
    if len(code) != LENGTH or any(character not in ALPHABET for character in code):
        return None
    return code


def display_code(code: str) -> str:
    """A stored code as people read it: ABCD-EFGH."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
