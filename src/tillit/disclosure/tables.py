"""Tables with margins as linear systems: cells and additive relations (total = sum of parts).

Every table tillit publishes is described as a :class:`LinearTable`: a list of cells (counts),
each with a label and a flag saying whether the cell is *published* at all, and a list of
relations ``total = part_1 + ... + part_m``. One-way tables with a total, two-way tables with
row, column and grand totals, hierarchies (municipality -> county -> country) and several
tables sharing a population (respondents by county and by size class, whose cross-table is
never published) all fit this form, so one suppression routine and one audit serve them all.

Cells that are not published (``published=False``) are *structural unknowns*: the attacker does
not see them and they are not protected either (for instance the county x size class interior
when only the two margins are published).

Examples
--------
>>> t = one_way([3, 12, 9], ["a", "b", "c"], total_label="all")
>>> t.labels
('a', 'b', 'c', 'all')
>>> t.relations
((3, (0, 1, 2)),)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["LinearTable", "TableBuilder", "hierarchy", "linked_margins", "one_way", "two_way"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class LinearTable:
    """Cells (counts, non-negative) and additive relations between them.

    Attributes
    ----------
    values : ndarray of float
        The true value of every cell.
    labels : tuple of str
        One unique label per cell (for reports and error messages).
    relations : tuple of (int, tuple of int)
        ``(total, parts)``: ``values[total] == sum(values[parts])``.
    published : ndarray of bool
        False for cells never shown (structural unknowns); True for cells a table shows
        (unless suppressed).
    """

    values: FloatArray
    labels: tuple[str, ...]
    relations: tuple[tuple[int, tuple[int, ...]], ...]
    published: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        n = len(self.values)
        if len(self.labels) != n:
            raise ValueError(f"labels: {len(self.labels)} labels for {n} cells")
        if len(set(self.labels)) != n:
            raise ValueError("labels: every cell needs a unique label")
        if len(self.published) == 0 and n:
            object.__setattr__(self, "published", np.ones(n, dtype=bool))
        if len(self.published) != n:
            raise ValueError(f"published: {len(self.published)} flags for {n} cells")
        if n and float(np.min(self.values)) < 0:
            raise ValueError("values: counts must not be negative")
        for total, parts in self.relations:
            if not parts:
                raise ValueError(f"relation of {self.labels[total]!r} has no parts")
            s = float(np.sum(self.values[list(parts)]))
            if abs(s - float(self.values[total])) > 1e-6 * max(1.0, abs(s)):
                raise ValueError(
                    f"relation {self.labels[total]!r}: the parts sum to {s:g}, "
                    f"the total is {float(self.values[total]):g}"
                )

    @property
    def n_cells(self) -> int:
        return len(self.values)

    def index(self, label: str) -> int:
        """The position of the cell called ``label``."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise KeyError(f"no cell labelled {label!r}") from None

    def relations_of(self, cell: int) -> list[tuple[int, tuple[int, ...]]]:
        """The relations ``cell`` takes part in (as total or as a part)."""
        return [(t, p) for t, p in self.relations if t == cell or cell in p]


class TableBuilder:
    """Build a :class:`LinearTable` cell by cell (labels must be unique).

    Examples
    --------
    >>> b = TableBuilder()
    >>> b.cell("NO", 20); b.cell("NO/Agder", 2); b.cell("NO/Viken", 18)
    0
    1
    2
    >>> b.relation("NO", ["NO/Agder", "NO/Viken"])
    >>> b.build().n_cells
    3
    """

    def __init__(self) -> None:
        self._values: list[float] = []
        self._labels: list[str] = []
        self._published: list[bool] = []
        self._relations: list[tuple[int, tuple[int, ...]]] = []
        self._pos: dict[str, int] = {}

    def cell(self, label: str, value: float, *, published: bool = True) -> int:
        if label in self._pos:
            raise ValueError(f"cell {label!r} added twice")
        self._pos[label] = len(self._values)
        self._values.append(float(value))
        self._labels.append(label)
        self._published.append(published)
        return self._pos[label]

    def has(self, label: str) -> bool:
        return label in self._pos

    def relation(self, total: str, parts: Sequence[str]) -> None:
        self._relations.append((self._pos[total], tuple(self._pos[p] for p in parts)))

    def build(self) -> LinearTable:
        return LinearTable(
            np.asarray(self._values, dtype=float),
            tuple(self._labels),
            tuple(self._relations),
            np.asarray(self._published, dtype=bool),
        )


def one_way(
    values: Sequence[float], labels: Sequence[str], total_label: str = "total"
) -> LinearTable:
    """Cells and their total (the total is the last cell)."""
    b = TableBuilder()
    for lbl, v in zip(labels, values, strict=True):
        b.cell(str(lbl), v)
    b.cell(total_label, float(np.sum(values)))
    b.relation(total_label, [str(x) for x in labels])
    return b.build()


def two_way(
    matrix: Sequence[Sequence[float]] | FloatArray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    total_label: str = "total",
) -> LinearTable:
    """An ``r x c`` table with row totals, column totals and the grand total.

    Cell labels are ``"row|col"``, row totals ``"row|total"``, column totals ``"total|col"``
    and the grand total ``"total|total"``.
    """
    m = np.asarray(matrix, dtype=float)
    if m.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"matrix: shape {m.shape} does not match the labels")
    b = TableBuilder()
    rows = [str(r) for r in row_labels]
    cols = [str(c) for c in col_labels]
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            b.cell(f"{r}|{c}", m[i, j])
    for i, r in enumerate(rows):
        b.cell(f"{r}|{total_label}", m[i].sum())
        b.relation(f"{r}|{total_label}", [f"{r}|{c}" for c in cols])
    for j, c in enumerate(cols):
        b.cell(f"{total_label}|{c}", m[:, j].sum())
        b.relation(f"{total_label}|{c}", [f"{r}|{c}" for r in rows])
    grand = f"{total_label}|{total_label}"
    b.cell(grand, m.sum())
    b.relation(grand, [f"{r}|{total_label}" for r in rows])
    b.relation(grand, [f"{total_label}|{c}" for c in cols])
    return b.build()


def hierarchy(
    leaves: Mapping[tuple[str, ...], float],
    *,
    publish_leaves: bool = True,
    sep: str = "/",
) -> LinearTable:
    """Nested groups: each leaf key is a path (``("NO", "Agder", "4201")``); every prefix of a
    path is a group whose value is the sum of its children, up to the root (``""``, the grand
    total over all first-level groups).

    ``publish_leaves=False`` makes the leaves structural unknowns (for example municipalities,
    whose survey values are never published, under published counties).
    """
    b = TableBuilder()
    children: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    sums: dict[tuple[str, ...], float] = {}
    for path, v in leaves.items():
        for depth in range(len(path) + 1):
            node = tuple(path[:depth])
            sums[node] = sums.get(node, 0.0) + float(v)
            if depth < len(path):
                children.setdefault(node, set()).add(tuple(path[: depth + 1]))
    leaf_set = set(leaves)
    for node in sorted(sums, key=lambda p: (len(p), p)):
        published = publish_leaves or node not in leaf_set
        b.cell(sep.join(node) or "total", sums[node], published=published)
    for node, kids in children.items():
        b.relation(sep.join(node) or "total", [sep.join(k) for k in sorted(kids)])
    return b.build()


def linked_margins(
    cross: Mapping[tuple[str, str], float],
    *,
    total_label: str = "total",
) -> LinearTable:
    """Two one-way tables of the same population (for example respondents by county and by
    size class) whose cross-table is never published: the interior cells ``"a|b"`` given in
    ``cross`` are structural unknowns; combinations missing from ``cross`` are structural zeros
    (the attacker knows them, e.g. from the public registry: a county without cities). The
    margins ``"a|total"``, ``"total|b"`` and the total are published.

    The audit then also catches a hidden margin recovered through the other margin.
    """
    rows = sorted({a for a, _ in cross})
    cols = sorted({c for _, c in cross})
    b = TableBuilder()
    for (a, c), v in sorted(cross.items()):
        b.cell(f"{a}|{c}", v, published=False)
    for a in rows:
        b.cell(f"{a}|{total_label}", sum(v for (x, _), v in cross.items() if x == a))
        b.relation(f"{a}|{total_label}", [f"{a}|{c}" for (x, c) in sorted(cross) if x == a])
    for c in cols:
        b.cell(f"{total_label}|{c}", sum(v for (_, y), v in cross.items() if y == c))
        b.relation(f"{total_label}|{c}", [f"{a}|{c}" for (a, y) in sorted(cross) if y == c])
    grand = f"{total_label}|{total_label}"
    b.cell(grand, sum(cross.values()))
    b.relation(grand, [f"{a}|{total_label}" for a in rows])
    b.relation(grand, [f"{total_label}|{c}" for c in cols])
    return b.build()
