"""The check characters of China's two identity numbers, as forms validate them: a resident identity card
number (公民身份号码, GB 11643-1999) and a unified social credit code (统一社会信用代码, GB 32100-2015).
A mistyped digit changes the check character, so a wrong number is refused at the window, not found
months later on a licence."""
from __future__ import annotations

import re
from datetime import date

ID_NUMBER = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE = re.compile(rf"^[{CREDIT_CHARSET}]{{2}}\d{{6}}[{CREDIT_CHARSET}]{{10}}$", re.ASCII)
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normal(value: str) -> str:
    """As both numbers are written: without surrounding spaces, letters in capitals (a lowercase x)."""
    return value.strip().upper()


def valid_id_number(value: str) -> bool:
    """18 characters: 6 for the address, the birth date (YYYYMMDD, a real day), 3 of sequence, and the
    check character (0-9 or X) of the weighted sum modulo 11."""
    if not ID_NUMBER.match(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def valid_credit_code(value: str) -> bool:
    """18 characters of the code's alphabet (digits 3 to 8 the administrative division), the last the check
    character of the weighted sum modulo 31."""
    if not CREDIT_CODE.match(value):
        return False
    total = sum(CREDIT_CHARSET.index(char) * weight for char, weight in zip(value, _CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31] == value[17]


# The form of each as a page may check it while it is typed, either case (JavaScript RegExp syntax); the
# check character only the server computes.
_EITHER_CASE = CREDIT_CHARSET + CREDIT_CHARSET[10:].lower()
BROWSER_PATTERNS = {"idNumber": r"^\d{17}[\dXx]$",
                    "creditCode": rf"^[{_EITHER_CASE}]{{2}}\d{{6}}[{_EITHER_CASE}]{{10}}$"}
