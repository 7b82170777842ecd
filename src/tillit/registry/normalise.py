"""Normalising names, codes and country arguments for lookup.

Names are compared by a key that ignores case, accents and punctuation, so that "Tromsø",
"tromso" and "TROMSO" agree, and "Århus", "Aarhus" and "aarhus" agree:

1. Unicode NFKD, dropping combining marks (``á → a``, ``å → a``, ``č → c``).
2. ``casefold``.
3. Letters with no decomposition: ``ø → o``, ``æ → ae``, ``œ → oe``, ``ð/đ → d``, ``ŋ → n``,
   ``ŧ → t``, ``ł → l``, ``ß → ss``.
4. Doubled ``aa → a`` (the old Danish and Norwegian spelling of ``å``).
5. Every run of characters that is not a letter or digit becomes one space.

:func:`name_key` also drops the spaces, so "Nord-Fron", "Nord Fron" and "Nordfron" agree.
"""

from __future__ import annotations

import re
import unicodedata

from tillit.errors import ErrorCode, TillitError
from tillit.registry.model import COUNTRIES, Country

_LETTERS = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ð": "d",
        "đ": "d",
        "ŋ": "n",
        "ŧ": "t",
        "ł": "l",
        "ß": "ss",
    }
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(text: str) -> str:
    """Return ``text`` lower-cased, without accents, with words separated by single spaces.

    Parameters
    ----------
    text : str
        A municipality name as a person might type it.

    Returns
    -------
    str
        The normalised form (may be empty).

    Examples
    --------
    >>> normalise_name("Århus")
    'arhus'
    >>> normalise_name("Aarhus")
    'arhus'
    >>> normalise_name("  Høje-Taastrup ")
    'hoje tastrup'
    >>> normalise_name("Guovdageaidnu - Kautokeino")
    'guovdageaidnu kautokeino'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().translate(_LETTERS)
    folded = folded.replace("aa", "a")
    return _NON_ALNUM.sub(" ", folded).strip()


def name_key(text: str) -> str:
    """Return the comparison key of a name: :func:`normalise_name` without spaces.

    Examples
    --------
    >>> name_key("Nord-Fron") == name_key("nord fron") == name_key("Nordfron")
    True
    """
    return normalise_name(text).replace(" ", "")


def parse_country(value: str | None) -> Country | None:
    """Turn ``"no"``, ``"NO"``, ``"dk"`` … into ``"NO"``/``"DK"``; None stays None.

    Raises
    ------
    TillitError
        With code ``invalid_input`` when the value is not a registry country.
    """
    if value is None or value == "":
        return None
    upper = str(value).strip().upper()
    for country in COUNTRIES:
        if upper == country:
            return country
    raise TillitError(
        f"unknown country {value!r}",
        ErrorCode.INVALID_INPUT,
        hint="Use 'no' (Norway) or 'dk' (Denmark).",
    )


def clean_code(code: str | int) -> str:
    """Return a code as a string of digits, stripped of blanks (leading zeros kept).

    Raises
    ------
    TillitError
        When the code is empty or holds anything but digits.

    Examples
    --------
    >>> clean_code(301)
    '301'
    >>> clean_code(" 0301 ")
    '0301'
    """
    if isinstance(code, bool):
        raise TillitError(f"not a municipality code: {code!r}", ErrorCode.INVALID_INPUT)
    text = str(code).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise TillitError(
            f"not a municipality code: {code!r}",
            ErrorCode.INVALID_INPUT,
            hint="Codes are 1 to 4 digits, e.g. 0301 (Oslo) or 101 (København). "
            "To search by name use `tillit registry find NAME`.",
        )
    return text


def code_forms(code: str | int, width: int) -> str:
    """Return the code zero-padded to ``width`` digits, or without padding for DK (width 3).

    NO codes are 4 digits (``"301"`` → ``"0301"``). DK codes are 3 digits without padding, but
    people also write them as 4-digit ``code4`` (``"0101"`` → ``"101"``).

    Examples
    --------
    >>> code_forms("301", 4)
    '0301'
    >>> code_forms("0101", 3)
    '101'
    >>> code_forms("1201", 3)
    '1201'
    """
    text = clean_code(code)
    if width == 4:
        return text.zfill(4)
    stripped = text.lstrip("0") or "0"
    return stripped.zfill(3) if len(stripped) < 3 else stripped
