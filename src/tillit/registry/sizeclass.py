"""Population size classes, the same for Norway and Denmark.

=========  ===========================
class      inhabitants
=========  ===========================
small      fewer than 5,000
medium     5,000 to 19,999
large      20,000 to 99,999
city       100,000 or more
=========  ===========================

The classes use each municipality's bundled population: Norway on 1 January 2024 (SSB),
Denmark on 1 January 2020 (DST FOLK1A 2020K1). A Danish municipality near a boundary may have
changed class since 2020.
"""

from __future__ import annotations

import enum

from tillit.errors import ErrorCode, TillitError


class SizeClass(enum.StrEnum):
    """Population size class of a municipality."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    CITY = "city"

    @property
    def minimum(self) -> int:
        """Smallest population in the class."""
        return _BOUNDS[self][0]

    @property
    def maximum(self) -> int | None:
        """Largest population in the class, or None for the open top class."""
        return _BOUNDS[self][1]

    @property
    def label(self) -> str:
        """English description of the range, e.g. ``"5,000–19,999"``."""
        lo, hi = _BOUNDS[self]
        if lo == 0:
            return f"< {hi + 1:,}" if hi is not None else "all"
        if hi is None:
            return f"≥ {lo:,}"
        return f"{lo:,}–{hi:,}"


_BOUNDS: dict[SizeClass, tuple[int, int | None]] = {
    SizeClass.SMALL: (0, 4_999),
    SizeClass.MEDIUM: (5_000, 19_999),
    SizeClass.LARGE: (20_000, 99_999),
    SizeClass.CITY: (100_000, None),
}


def size_class_for(population: int) -> SizeClass:
    """Return the size class of a population.

    Parameters
    ----------
    population : int
        Number of inhabitants (0 or more).

    Returns
    -------
    SizeClass

    Raises
    ------
    TillitError
        If ``population`` is negative.

    Examples
    --------
    >>> size_class_for(4_999)
    <SizeClass.SMALL: 'small'>
    >>> size_class_for(100_000)
    <SizeClass.CITY: 'city'>
    """
    if population < 0:
        raise TillitError(
            f"population must be 0 or more, got {population}",
            ErrorCode.INVALID_INPUT,
        )
    for size_class, (_lo, hi) in _BOUNDS.items():
        if hi is None or population <= hi:
            return size_class
    raise AssertionError("unreachable: the top class is open")  # pragma: no cover


def parse_size_class(value: str | SizeClass) -> SizeClass:
    """Turn ``"small"``, ``"Medium"`` … into a :class:`SizeClass`.

    Raises
    ------
    TillitError
        With code ``invalid_input`` naming the allowed values.
    """
    if isinstance(value, SizeClass):
        return value
    try:
        return SizeClass(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in SizeClass)
        raise TillitError(
            f"unknown size class {value!r}",
            ErrorCode.INVALID_INPUT,
            hint=f"Use one of: {allowed}.",
        ) from None
