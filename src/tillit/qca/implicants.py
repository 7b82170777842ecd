"""Prime implicants and prime-implicant charts, exact, in the order R's QCA package uses.

Implicants are tuples of codes (0 = condition absent, ``v + 1`` = value ``v``). Coverage sets
are Python integers used as bit sets (bit ``c`` = chart column ``c``).

* :func:`qmc` is Quine-McCluskey as R's ``C_QMC`` runs it (same pass structure, so the prime
  implicants come out in the same order); it serves the conservative and intermediate
  solutions, whose input is the positive rows only.
* :func:`parsimonious_primes` finds every prime implicant when remainders are "don't care",
  by a zeta transform over the whole cube lattice (``prod(levels + 1)`` cells, numpy) or, for
  very many conditions, by R's Consistency Cubes level search; it returns them in CCubes'
  discovery order and applies CCubes' stopping rule (stop two levels after the chart is
  solvable without new prime implicants), so the chart equals R's.
* :func:`r_sort` is R's ``sort_matrix``/``sort_cols`` (quirk included), which fixes the order
  of terms in printed solutions.
* :func:`solve_chart` finds the minimum number of prime implicants covering every positive row
  (exact branch and bound) and then *every* cover of that size, ordered as R's ``find_models``
  lists them (lexicographic over sorted chart rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np

from tillit.qca.errors import QCAError
from tillit.qca.sets import Implicant

__all__ = ["coverage_masks", "parsimonious_primes", "qmc", "r_sort", "solve_chart"]

DENSE_LIMIT = 6_000_000
"""Largest cube lattice (``prod(levels + 1)``) searched densely."""


def qmc(rows: Sequence[Implicant], noflevels: Sequence[int]) -> list[Implicant]:
    """Prime implicants of the rows (minterm codes, no don't cares), in R ``C_QMC`` order."""
    current = list(dict.fromkeys(rows))
    while len(current) > 1:
        index = {imp: i for i, imp in enumerate(current)}
        minimized = [False] * len(current)
        found: list[Implicant] = []
        seen: set[Implicant] = set()
        for a, imp in enumerate(current):
            partners: list[tuple[int, int]] = []
            for c, code in enumerate(imp):
                if not code:
                    continue
                for other in range(1, noflevels[c] + 1):
                    if other == code:
                        continue
                    b = index.get((*imp[:c], other, *imp[c + 1 :]))
                    if b is not None and b > a:
                        partners.append((b, c))
            partners.sort()
            for _b, c in partners:
                group = [
                    index.get((*imp[:c], v, *imp[c + 1 :])) for v in range(1, noflevels[c] + 1)
                ]
                if any(g is None for g in group):
                    continue
                for g in group:
                    minimized[g] = True  # type: ignore[index]
                merged = (*imp[:c], 0, *imp[c + 1 :])
                if merged not in seen:
                    seen.add(merged)
                    found.append(merged)
        if not found:
            break
        current = found + [imp for i, imp in enumerate(current) if not minimized[i]]
    return current


def r_sort(implicants: Sequence[Implicant]) -> list[Implicant]:
    """Order implicants as R's ``sort_matrix`` does before building the chart.

    Columns are processed from last to first: a stable descending sort by the code, then a
    stable ascending sort of the non-zero prefix (R leaves the last element out of that
    prefix when no code is zero); finally a stable sort by the number of literals.
    """
    order = list(range(len(implicants)))
    if not order:
        return []
    k = len(implicants[0])
    for col in range(k - 1, -1, -1):
        order.sort(key=lambda o: -implicants[o][col])
        zero = next((p for p, o in enumerate(order) if implicants[o][col] == 0), len(order) - 1)
        order[:zero] = sorted(order[:zero], key=lambda o: implicants[o][col])
    order.sort(key=lambda o: sum(1 for v in implicants[o] if v))
    return [implicants[o] for o in order]


def covers(implicant: Implicant, minterm: Implicant) -> bool:
    """Whether the implicant contains the minterm (both as codes)."""
    return all(i == 0 or i == m for i, m in zip(implicant, minterm, strict=True))


def coverage_masks(implicants: Sequence[Implicant], minterms: Sequence[Implicant]) -> list[int]:
    """Bit set of the minterms each implicant covers (bit ``c`` = ``minterms[c]``)."""
    if not implicants or not minterms:
        return [0] * len(implicants)
    imp = np.asarray(implicants, dtype=np.int16)
    mt = np.asarray(minterms, dtype=np.int16)
    out: list[int] = []
    chunk = max(1, 4_000_000 // max(1, mt.size))
    for start in range(0, len(imp), chunk):
        block = imp[start : start + chunk]
        hit = ((block[:, None, :] == 0) | (block[:, None, :] == mt[None, :, :])).all(axis=2)
        packed = np.packbits(hit, axis=1, bitorder="little")
        out.extend(int.from_bytes(row.tobytes(), "little") for row in packed)
    return out


def _level_order(primes: list[Implicant], masks: list[int]) -> tuple[list[Implicant], list[int]]:
    """CCubes discovery order: literals, then conditions (lexicographic), then first row."""

    def key(item: tuple[Implicant, int]) -> tuple[int, tuple[int, ...], int]:
        imp, mask = item
        conds = tuple(j for j, v in enumerate(imp) if v)
        first = (mask & -mask).bit_length() - 1
        return (len(conds), conds, first)

    pairs = sorted(zip(primes, masks, strict=True), key=key)
    return [p for p, _ in pairs], [m for _, m in pairs]


def _stop_rule(primes: list[Implicant], masks: list[int], n_positives: int) -> list[Implicant]:
    """Keep the prime implicants CCubes would have found before it stops searching."""
    if not primes:
        return primes
    k_max = len(primes[0])
    full = (1 << n_positives) - 1
    by_level: dict[int, int] = {}
    for imp, mask in zip(primes, masks, strict=True):
        lvl = sum(1 for v in imp if v)
        by_level[lvl] = by_level.get(lvl, 0) | mask
    covered, counter, solved, last = 0, 0, False, k_max
    for level in range(1, k_max + 1):
        has = level in by_level
        covered |= by_level.get(level, 0)
        if covered == full:
            if solved:
                counter = 0 if has else counter + 1
            solved = True
            if counter > 1:
                last = level
                break
    return [p for p in primes if sum(1 for v in p if v) <= last]


def _dense_primes(
    positives: Sequence[Implicant], negatives: Sequence[Implicant], noflevels: Sequence[int]
) -> list[Implicant]:
    shape = tuple(n + 1 for n in noflevels)
    k = len(shape)
    pos = np.zeros(shape, dtype=bool)
    neg = np.zeros(shape, dtype=bool)
    pos[tuple(np.asarray(positives, dtype=np.intp).T)] = True
    if negatives:
        neg[tuple(np.asarray(negatives, dtype=np.intp).T)] = True
    for arr in (pos, neg):
        for j in range(k):
            zero: list[slice | int] = [slice(None)] * k
            rest = [slice(None)] * k
            zero[j] = 0
            rest[j] = slice(1, None)
            arr[tuple(zero)] = arr[tuple(rest)].any(axis=j)
    consistent = pos & ~neg
    has_parent = np.zeros(shape, dtype=bool)
    for j in range(k):
        zero = [slice(None)] * k
        rest = [slice(None)] * k
        zero[j] = slice(0, 1)
        rest[j] = slice(1, None)
        has_parent[tuple(rest)] |= consistent[tuple(zero)]
    prime = consistent & ~has_parent
    return [tuple(int(v) for v in row) for row in np.argwhere(prime)]


def _level_search(
    positives: Sequence[Implicant], negatives: Sequence[Implicant], noflevels: Sequence[int]
) -> list[Implicant]:
    """R's Consistency Cubes search, level by level, with its stopping rule."""
    k = len(noflevels)
    pos = np.asarray(positives, dtype=np.int64)
    neg = np.asarray(negatives, dtype=np.int64).reshape(-1, k)
    full = (1 << len(positives)) - 1
    found: list[Implicant] = []
    previous: set[Implicant] = set()
    covered, counter, solved = 0, 0, False
    for level in range(1, k + 1):
        current: set[Implicant] = set()
        new = False
        for combo in combinations(range(k), level):
            cols = list(combo)
            base = np.cumprod([1] + [noflevels[c] + 1 for c in cols[:-1]])
            pcodes = (pos[:, cols] @ base).tolist()
            negset = set((neg[:, cols] @ base).tolist()) if len(neg) else set()
            seen: set[int] = set()
            for i, code in enumerate(pcodes):
                if code in seen or code in negset:
                    continue
                seen.add(code)
                imp = [0] * k
                for c in cols:
                    imp[c] = int(pos[i, c])
                cube = tuple(imp)
                current.add(cube)
                parents = ((*cube[:c], 0, *cube[c + 1 :]) for c in cols)
                if level == 1 or not any(p in previous for p in parents):
                    found.append(cube)
                    new = True
                    for r, row in enumerate(positives):
                        if covers(cube, row):
                            covered |= 1 << r
        previous = current
        if covered == full:
            if solved:
                counter = 0 if new else counter + 1
            solved = True
            if counter > 1:
                break
    return found


def parsimonious_primes(
    positives: Sequence[Implicant], negatives: Sequence[Implicant], noflevels: Sequence[int]
) -> list[Implicant]:
    """Prime implicants with remainders as don't cares, in CCubes order (before r_sort).

    Raises
    ------
    QCAError
        When no row is negative, so that the empty conjunction explains everything.
    """
    if not negatives:
        raise QCAError(
            "Every observed configuration is positive or a remainder: all conditions are "
            "minimised away.",
            hint="Check the truth table (incl_cut, n_cut) or drop include='?'.",
        )
    size = int(np.prod([n + 1 for n in noflevels]))
    if size <= DENSE_LIMIT:
        primes = _dense_primes(positives, negatives, noflevels)
        ordered, masks = _level_order(primes, coverage_masks(primes, positives))
        return _stop_rule(ordered, masks, len(positives))
    return _level_search(positives, negatives, noflevels)


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class _Chart:
    def __init__(self, masks: Sequence[int], full: int) -> None:
        self.masks = list(masks)
        self.full = full
        self.columns = _bits(full)
        self.col_pis: dict[int, list[int]] = {c: [] for c in self.columns}
        for i, m in enumerate(self.masks):
            for c in _bits(m & full):
                self.col_pis[c].append(i)
        self.col_bits = {c: sum(1 << i for i in pis) for c, pis in self.col_pis.items()}
        self.order = sorted(self.columns, key=lambda c: len(self.col_pis[c]))
        for c in self.columns:
            if not self.col_pis[c]:
                raise QCAError(f"Chart column {c} is covered by no prime implicant.")

    def lower_bound(self, uncovered: int) -> int:
        used, count = 0, 0
        for c in self.order:
            if uncovered >> c & 1 and not self.col_bits[c] & used:
                count += 1
                used |= self.col_bits[c]
        return count

    def pick(self, uncovered: int) -> int:
        for c in self.order:
            if uncovered >> c & 1:
                return c
        raise AssertionError("no uncovered column")  # pragma: no cover

    def feasible(self, uncovered: int, budget: int, failed: set[tuple[int, int]]) -> bool:
        if not uncovered:
            return True
        if budget == 0 or (uncovered, budget) in failed:
            return False
        if self.lower_bound(uncovered) > budget:
            failed.add((uncovered, budget))
            return False
        col = self.pick(uncovered)
        pis = sorted(self.col_pis[col], key=lambda i: -(self.masks[i] & uncovered).bit_count())
        for i in pis:
            if self.feasible(uncovered & ~self.masks[i], budget - 1, failed):
                return True
        failed.add((uncovered, budget))
        return False

    def minimum(self) -> int:
        """Minimum number of rows covering every column (exact)."""
        essential = 0
        covered = 0
        for c in self.columns:
            if len(self.col_pis[c]) == 1:
                i = self.col_pis[c][0]
                if not essential >> i & 1:
                    essential |= 1 << i
                    covered |= self.masks[i]
        uncovered = self.full & ~covered
        n_essential = essential.bit_count()
        if not uncovered:
            return n_essential
        live = [i for i, m in enumerate(self.masks) if m & uncovered]
        if len(live) > 40:
            return n_essential + self._minimum_milp(uncovered, live)
        k = max(1, self.lower_bound(uncovered))
        failed: set[tuple[int, int]] = set()
        while not self.feasible(uncovered, k, failed):
            k += 1
        return n_essential + k

    def _minimum_milp(self, uncovered: int, live: list[int]) -> int:
        """Set cover as a 0/1 integer programme (HiGHS branch and cut: exact)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        n = len(live)
        cols = _bits(uncovered)
        a = np.zeros((len(cols), n))
        where = {i: j for j, i in enumerate(live)}
        for r, c in enumerate(cols):
            a[r, [where[i] for i in self.col_pis[c] if i in where]] = 1.0
        res = milp(
            np.ones(n),
            constraints=LinearConstraint(a, lb=1.0),
            integrality=np.ones(n),
            bounds=Bounds(0, 1),
        )
        if not res.success:  # pragma: no cover - HiGHS solves every feasible cover problem
            raise QCAError("The prime implicant chart could not be solved.")
        return round(res.fun)

    def all_covers(self, k: int, limit: int) -> tuple[list[tuple[int, ...]], bool]:
        found: set[tuple[int, ...]] = set()
        visited: set[tuple[int, ...]] = set()
        complete = True

        def rec(uncovered: int, chosen: tuple[int, ...], budget: int) -> None:
            nonlocal complete
            if not complete:
                return
            if not uncovered:
                found.add(chosen)
                if len(found) >= limit:
                    complete = False
                return
            if budget == 0 or self.lower_bound(uncovered) > budget:
                return
            col = self.pick(uncovered)
            for i in self.col_pis[col]:
                nxt = tuple(sorted((*chosen, i)))
                if nxt in visited:
                    continue
                visited.add(nxt)
                rec(uncovered & ~self.masks[i], nxt, budget - 1)

        rec(self.full, (), k)
        return sorted(found), complete


def solve_chart(
    masks: Sequence[int], n_columns: int, *, max_models: int = 10_000
) -> tuple[list[tuple[int, ...]], bool]:
    """Every minimum cover of the chart, as sorted tuples of row indices, in R's order.

    Returns the models and whether the list is complete (``False`` when ``max_models`` was
    reached).
    """
    full = (1 << n_columns) - 1
    chart = _Chart(masks, full)
    k = chart.minimum()
    if k == len(masks):
        return [tuple(range(len(masks)))], True
    return chart.all_covers(k, max_models)
