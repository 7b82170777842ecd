"""Variable names that SPSS and Stata both accept, and labels that fit their limits.

A survey question may be called ``Ærlig_spørsmål``, ``1a`` or ``in``; none of those can be a
variable name in a ``.sav`` or ``.dta`` file. :class:`SafeNamer` turns each intended name into a
safe one, deterministically and in the order it is asked, so the same instrument always gives the
same names.

Rules (the intersection of SPSS and Stata):

1. ASCII only: ``æ → ae``, ``ø → o``, ``å → aa`` (capitals ``Ae``, ``O``, ``Aa``), ``ß → ss``,
   other accented letters lose their accent (``é → e``, ``ö → o``); any other character becomes
   ``_`` (runs of them one ``_``), except that characters with no ASCII form are dropped.
2. Starts with a letter: otherwise ``v`` is put in front (``1a → v1a``, ``_n → v_n``).
3. ``[A-Za-z0-9_]`` and at most 32 characters (Stata's limit; SPSS allows 64 bytes).
4. Not a reserved word of SPSS (case-insensitive) or Stata (``str#`` included): ``_`` is
   appended (``with → with_``).
5. Unique ignoring case (SPSS compares names case-insensitively): a clash gets ``_2``, ``_3``, …,
   the stem shortened so the result still has at most 32 characters.

Examples
--------
>>> namer = SafeNamer()
>>> namer("Ærlig_spørsmål"), namer("1a"), namer("with"), namer("ærlig_spørsmål")
('Aerlig_sporsmaal', 'v1a', 'with_', 'aerlig_sporsmaal_2')
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_NAME_LENGTH",
    "SPSS_RESERVED",
    "STATA_RESERVED",
    "SafeNamer",
    "fit_label",
    "is_reserved",
    "is_safe_name",
    "to_ascii_name",
]

#: Longest variable name both SPSS and Stata accept (Stata's limit).
MAX_NAME_LENGTH = 32

#: SPSS reserved keywords (compared case-insensitively).
SPSS_RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)

#: Stata reserved names (case-sensitive; ``str1`` … ``str2045`` are reserved as well).
STATA_RESERVED = frozenset(
    {
        "_all",
        "_b",
        "byte",
        "_coef",
        "_cons",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "_n",
        "_N",
        "_pi",
        "_pred",
        "_rc",
        "_skip",
        "strL",
        "using",
        "with",
    }
)

_TRANSLITERATE = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "aa", "Å": "Aa", "ß": "ss", "đ": "d", "Đ": "D"}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")
_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_STATA_STR = re.compile(r"^str(\d+|L)$")


def to_ascii_name(name: str) -> str:
    """Transliterate and replace the characters a variable name may not hold (rule 1).

    Parameters
    ----------
    name : str
        Any intended name, e.g. a question name from an XLSForm.

    Returns
    -------
    str
        ASCII text of ``[A-Za-z0-9_]``; it may still start with a digit, be empty or be reserved.

    Examples
    --------
    >>> to_ascii_name("Ærlig spørsmål – café")
    'Aerlig_sporsmaal_cafe'
    """
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    kept = []
    for char in text:
        if char.isascii():
            kept.append(char)
        elif unicodedata.combining(char):
            continue  # the accent of a letter already kept
        elif char.isspace() or unicodedata.category(char).startswith(("P", "S", "Z")):
            kept.append(" ")  # punctuation, symbols, spaces: a word break
    return _UNSAFE.sub("_", "".join(kept).strip())


def is_reserved(name: str) -> bool:
    """Whether ``name`` is reserved in SPSS (any case) or Stata.

    Examples
    --------
    >>> is_reserved("To"), is_reserved("_N"), is_reserved("str20"), is_reserved("total")
    (True, True, True, False)
    """
    return (
        name.upper() in SPSS_RESERVED
        or name in STATA_RESERVED
        or _STATA_STR.match(name) is not None
    )


def is_safe_name(name: str) -> bool:
    """Whether ``name`` is a valid SPSS and Stata variable name (uniqueness aside).

    Examples
    --------
    >>> is_safe_name("q1_a"), is_safe_name("1a"), is_safe_name("in"), is_safe_name("x" * 33)
    (True, False, False, False)
    """
    return _SAFE.match(name) is not None and not is_reserved(name)


class SafeNamer:
    """Give every intended name a safe and unique variable name, in the order asked.

    Parameters
    ----------
    taken : iterable of str, optional
        Names already in use (compared ignoring case).

    Notes
    -----
    Deterministic: the same sequence of intended names always gives the same safe names, so
    exports of one instrument version have stable names. The first occurrence keeps the plain
    name; later clashes get ``_2``, ``_3``, … .
    """

    def __init__(self, taken: tuple[str, ...] | list[str] | set[str] = ()) -> None:
        self._taken: set[str] = {name.lower() for name in taken}

    def __call__(self, intended: str) -> str:
        """The safe, unique name for ``intended`` (and remember it as taken)."""
        base = to_ascii_name(intended)
        if not base or not base[0].isalpha():
            base = f"v{base}"
        base = base[:MAX_NAME_LENGTH]
        if is_reserved(base):
            base = f"{base[: MAX_NAME_LENGTH - 1]}_"
        candidate, n = base, 1
        while candidate.lower() in self._taken or is_reserved(candidate):
            n += 1
            suffix = f"_{n}"
            candidate = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
        self._taken.add(candidate.lower())
        return candidate

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._taken


def fit_label(
    text: str,
    *,
    max_chars: int | None = None,
    max_bytes: int | None = None,
    keep_tail: str = "",
) -> str:
    """Shorten a label to a file format's limit, ending the cut part with ``…``.

    Parameters
    ----------
    text : str
        The label without ``keep_tail``.
    max_chars, max_bytes : int, optional
        Limits in characters (Stata: 80 for variable labels) and UTF-8 bytes (SPSS: 256 for
        variable labels, 120 for value labels).
    keep_tail : str, optional
        Text that must survive whole at the end, e.g. ``": option"`` of a select_multiple
        variable, so that the options of one question stay distinguishable.

    Returns
    -------
    str
        ``text + keep_tail`` when it fits, else ``text`` cut on a character boundary + ``…`` +
        ``keep_tail``.

    Examples
    --------
    >>> fit_label("Hvor stor tillit har du til kommunestyret", max_chars=20, keep_tail=": Ja")
    'Hvor stor tilli…: Ja'
    """

    def fits(candidate: str) -> bool:
        return (max_chars is None or len(candidate) <= max_chars) and (
            max_bytes is None or len(candidate.encode("utf-8")) <= max_bytes
        )

    if fits(text + keep_tail):
        return text + keep_tail
    if not fits("…" + keep_tail):
        keep_tail, text = "", text + keep_tail  # the tail alone is too long: cut it as well
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits, by bisection
        mid = (low + high + 1) // 2
        if fits(text[:mid].rstrip() + "…" + keep_tail):
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…" + keep_tail
