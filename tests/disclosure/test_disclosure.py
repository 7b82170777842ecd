"""Disclosure control: primary and secondary suppression and the differencing audit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tillit.disclosure import (
    LinearTable,
    audit,
    counts_table,
    feasible_intervals,
    hierarchy,
    linked_margins,
    one_way,
    primary_suppression,
    protect,
    protect_counts,
    protect_groups,
    secondary_suppression,
    two_way,
)
from tillit.disclosure.groups import group_table


def hidden_labels(table: LinearTable, mask) -> list[str]:
    return [table.labels[i] for i in np.flatnonzero(mask)]


def test_primary_suppression_hides_small_nonzero_cells():
    assert primary_suppression([0, 1, 2, 4, 5, 6], 5).tolist() == [
        False,
        True,
        True,
        True,
        False,
        False,
    ]
    assert primary_suppression([0, 3], 5, zero_safe=False).tolist() == [True, True]
    with pytest.raises(ValueError, match="k"):
        primary_suppression([1], 0)


def test_classic_differencing_attack_total_minus_shown_cells():
    # Publishing the total and every other cell gives the small cell away exactly.
    t = one_way([3, 14, 22, 9], ["Agder", "Vestland", "Viken", "Troms"], total_label="Norway")
    primary = primary_suppression(t.values, 5)
    naive = audit(t, primary, protection=5)
    assert [(c.label, c.low, c.high) for c in naive.recoverable] == [("Agder", 3.0, 3.0)]
    # secondary suppression hides a complement (the smallest other cell) and the audit is clean
    hidden = secondary_suppression(t, primary, protection=5)
    assert hidden_labels(t, hidden) == ["Agder", "Troms"]
    result = audit(t, hidden, protection=5)
    assert result.ok, result.summary()
    agder = next(c for c in result.intervals if c.label == "Agder")
    assert (agder.low, agder.high) == (0.0, 12.0)


def test_two_small_cells_are_not_enough_protection_for_each_other():
    # 1 and 2 hidden together: each lies in [0, 3], narrower than k = 5: a third cell goes too.
    t = one_way([1, 2, 40, 33], list("abcd"))
    p = protect(t, k=5)
    assert hidden_labels(t, p.hidden) == ["a", "b", "d"]
    assert p.audit.ok


def test_a_suppressed_total_protects_its_only_small_part_pair():
    t = one_way([2, 1], ["x", "y"])  # everything is small: all of it hidden, nothing recoverable
    p = protect(t, k=5)
    assert p.hidden.all()
    assert all(math.isinf(c.high) for c in p.audit.intervals)


def test_two_way_table_with_margins():
    m = [[12, 3, 20], [15, 18, 11], [9, 14, 16]]
    t = two_way(m, ["r1", "r2", "r3"], ["c1", "c2", "c3"])
    p = protect(t, k=5)
    assert p.hidden[t.index("r1|c2")]
    # every row and column with a hidden cell has at least two
    for total, parts in t.relations:
        n = sum(bool(p.hidden[c]) for c in (total, *parts))
        assert n == 0 or n >= 2
    assert p.audit.ok, p.audit.summary()
    # row-only suppression would be undone by the column: the audit proves it
    only_row = np.zeros(t.n_cells, dtype=bool)
    only_row[[t.index("r1|c2"), t.index("r1|c1")]] = True
    assert not audit(t, only_row, protection=5).ok


def test_hierarchy_municipality_county_country():
    leaves = {
        ("NO", "Agder", "4201"): 2,
        ("NO", "Agder", "4202"): 1,
        ("NO", "Viken", "3001"): 10,
        ("NO", "Viken", "3002"): 12,
        ("DK", "Hovedstaden", "101"): 8,
        ("DK", "Sjælland", "330"): 9,
    }
    t = hierarchy(leaves, publish_leaves=False)
    assert not t.published[t.index("NO/Agder/4201")]
    p = protect(t, k=5)
    assert p.hidden[t.index("NO/Agder")]
    assert p.audit.ok, p.audit.summary()
    shown = p.shown()
    assert shown["NO/Agder"] is None
    assert "NO/Agder/4201" not in shown  # municipalities are never published


def test_linked_margins_catch_recovery_through_the_other_grouping():
    # Counties A (3) and B (9); size classes small (3, all of county A) and large (9).
    # Hiding A and B in the county margin is useless if the size margin shows small = 3 and
    # A's municipalities are all small: the LP over the unpublished cross-table sees it.
    cross = {("A", "small"): 3, ("B", "large"): 9, ("B", "small"): 0}
    t = linked_margins(cross)
    hidden = np.zeros(t.n_cells, dtype=bool)
    hidden[[t.index("A|total"), t.index("B|total")]] = True
    result = audit(t, hidden, protection=5)
    # A <= small = 3: its interval is [0, 3]
    a = next(c for c in result.intervals if c.label == "A|total")
    assert (a.low, a.high) == (0.0, 3.0)
    assert not result.ok
    p = protect(t, k=5)
    assert p.audit.ok
    assert p.hidden[t.index("total|small")]


def test_group_protection_on_a_frame():
    rows = (
        [("NO", "Oslo", "city")] * 1
        + [("NO", "Agder", "small")] * 3
        + [("NO", "Vestland", "small")] * 12
        + [("NO", "Vestland", "medium")] * 8
        + [("NO", "Viken", "medium")] * 20
        + [("DK", "Hovedstaden", "city")] * 4
        + [("DK", "Sjælland", "medium")] * 15
        + [("DK", "Syddanmark", "medium")] * 11
    )
    resp = pd.DataFrame(rows, columns=["country", "county", "size_class"])
    g = protect_groups(resp, k=5)
    assert g.audit.ok, g.audit.summary()
    assert g.is_hidden("NO", "county", "Oslo")
    assert g.is_hidden("NO", "county", "Agder")
    assert g.is_hidden("DK", "size_class", "city")
    assert not g.is_hidden("NO")
    frame = pd.DataFrame(
        {
            "country": ["NO", "NO", "NO"],
            "county": ["Oslo", "Viken", "Nowhere"],
            "n": [1, 20, 0],
            "mean": [4.0, 3.2, np.nan],
        }
    )
    out = g.apply(frame, "county")
    assert out["suppressed"].tolist() == [True, g.is_hidden("NO", "county", "Viken"), True]
    assert math.isnan(out.loc[0, "mean"]) and math.isnan(out.loc[0, "n"])


def test_relations_are_checked():
    with pytest.raises(ValueError, match="sum"):
        LinearTable(np.array([1.0, 2.0, 4.0]), ("a", "b", "t"), ((2, (0, 1)),))


@pytest.mark.parametrize("seed", range(40))
def test_property_no_hidden_cell_recoverable_after_secondary_suppression(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 7))
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    # a mix of empty, small and large cells
    m = rng.choice(
        [0, 1, 2, 3, 4, 6, 9, 15, 30], size=shape, p=[0.1, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.1]
    )
    t = two_way(m, [f"r{i}" for i in range(shape[0])], [f"c{j}" for j in range(shape[1])])
    p = protect(t, k)
    assert p.audit.ok, p.audit.summary()
    assert audit(t, p.hidden, protection=k).ok  # the exact audit agrees
    # every primary cell is hidden and nothing published is below k (apart from zeros)
    for lbl, v in p.shown().items():
        assert v is None or v == 0 or v >= k, lbl


@pytest.mark.parametrize("seed", range(15))
def test_property_linked_groupings(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(10, 80))
    resp = pd.DataFrame(
        {
            "country": rng.choice(["NO", "DK"], n),
            "county": rng.choice(list("ABCDEF"), n, p=[0.4, 0.3, 0.1, 0.1, 0.05, 0.05]),
            "size_class": rng.choice(
                ["small", "medium", "large", "city"], n, p=[0.5, 0.3, 0.15, 0.05]
            ),
        }
    )
    g = protect_groups(resp, k=5)
    assert g.audit.ok, g.audit.summary()
    assert audit(g.table, g.protection.hidden, protection=5).ok  # the exact audit agrees
    for lbl, v in g.protection.shown().items():
        assert v is None or v == 0 or v >= 5, lbl
    # the same table and pattern from the counts alone
    counts = resp.groupby(["country", "county", "size_class"]).size()
    c = protect_counts(dict(counts.items()), k=5)
    assert c.table.labels == g.table.labels and c.table.relations == g.table.relations
    assert np.array_equal(c.table.values, g.table.values)
    assert np.array_equal(c.table.published, g.table.published)
    assert np.array_equal(c.protection.hidden, g.protection.hidden)


def test_counts_table_matches_group_table_and_checks_its_input():
    resp = pd.DataFrame(
        {"country": ["NO", "NO", "DK"], "county": ["A", "B", "X"], "size_class": ["s", "s", "l"]}
    )
    t = group_table(resp, ("county",))
    c = counts_table([(("NO", "A"), 1), (("NO", "B"), 1), (("DK", "X"), 1), (("DK", "Y"), 0)],
                     ("county",))  # fmt: skip
    assert c.labels == t.labels and np.array_equal(c.values, t.values)
    with pytest.raises(ValueError, match="not"):
        counts_table({("NO",): 3}, ("county",))
    with pytest.raises(ValueError, match="negative"):
        counts_table({("NO", "A"): -1}, ("county",))


@pytest.mark.parametrize("seed", range(10))
def test_pooled_feasible_tables_decide_exactly_like_the_programmes(seed):
    # The pool of feasible tables proves a cell safe only with an inner bound of its interval:
    # every decision matches the LP's, every reported interval lies inside the exact one, and
    # every pooled table satisfies the relations, keeps the published cells and is >= 0.
    rng = np.random.default_rng(500 + seed)
    m = rng.choice([0, 1, 2, 4, 7, 12, 25], size=(4, 5))
    t = two_way(m, [f"r{i}" for i in range(4)], [f"c{j}" for j in range(5)])
    hidden = rng.random(t.n_cells) < 0.35
    exact = feasible_intervals(t, hidden)
    pool = [t.values.astype(float)]
    fast = feasible_intervals(t, hidden, decide=5, points=pool)
    assert set(fast) == set(exact)
    for cell, (lo, hi) in fast.items():
        elo, ehi = exact[cell]
        safe = hi - lo >= 5 - 1e-7
        assert safe == (ehi - elo >= 5 - 1e-7), t.labels[cell]
        if safe and not math.isinf(hi):  # an inner bound (else the low may be reported as 0)
            assert elo - 1e-7 <= lo and hi <= ehi + 1e-7
    for x in pool:
        assert (x >= -1e-7).all()
        assert np.allclose(x[~hidden], t.values[~hidden])
        for total, parts in t.relations:
            assert x[total] == pytest.approx(x[list(parts)].sum(), abs=1e-6)
