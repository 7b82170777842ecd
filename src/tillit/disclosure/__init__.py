"""Statistical disclosure control for everything tillit publishes: minimum cell size k (primary
suppression), secondary (complementary) suppression so hidden cells cannot be recovered from
margins by differencing, and an audit (linear programming) that proves it for each table.

Issue "observatory". Pure library: never Django.

* :mod:`tillit.disclosure.tables`: tables with margins as cells + additive relations
  (:func:`one_way`, :func:`two_way`, :func:`hierarchy`, :func:`linked_margins`).
* :mod:`tillit.disclosure.suppress`: :func:`primary_suppression`,
  :func:`secondary_suppression`, :func:`protect` (both, with the audit).
* :mod:`tillit.disclosure.audit`: :func:`audit`, the feasible interval of every hidden cell.
* :mod:`tillit.disclosure.groups`: the same for pandas tables of groups within a total
  (:func:`protect_groups`), or from their counts (:func:`protect_counts`), as the
  observatory and the reports use it.
"""

from tillit.disclosure.audit import AuditResult, CellInterval, audit, feasible_intervals
from tillit.disclosure.groups import (
    GroupProtection,
    counts_table,
    protect_counts,
    protect_groups,
)
from tillit.disclosure.suppress import (
    Protection,
    primary_suppression,
    protect,
    secondary_suppression,
)
from tillit.disclosure.tables import (
    LinearTable,
    TableBuilder,
    hierarchy,
    linked_margins,
    one_way,
    two_way,
)

__all__ = [
    "AuditResult",
    "CellInterval",
    "GroupProtection",
    "LinearTable",
    "Protection",
    "TableBuilder",
    "audit",
    "counts_table",
    "feasible_intervals",
    "hierarchy",
    "linked_margins",
    "one_way",
    "primary_suppression",
    "protect",
    "protect_counts",
    "protect_groups",
    "secondary_suppression",
    "two_way",
]
