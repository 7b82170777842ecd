"""Trust maps: a directed network of trust between actor groups, built from survey items.

A survey item such as "How much do you trust the politicians?" answered by chief executives
gives the edge ``chief_executive -> politicians``. :func:`trust_map` takes a mapping from item
(column) to ``(from_group, to_group)``, rescales every answer to 0..1 with the item's scale, and
for each edge and each group of respondents (country, municipality size class, ...) reports

* ``weight``: the mean trust (respondents' mean over the edge's items, then the mean over
  respondents), with ``n`` respondents, ``sd``, ``se`` and a t interval;
* for each pair of actors with both directions: reciprocity (the smaller and the mean of the two
  weights) and asymmetry ``w(a -> b) - w(b -> a)``.

Edges from fewer than ``min_n`` respondents are suppressed (weight NaN, ``suppressed`` True):
the default 5 follows tillit's disclosure rule, as a chief executive is identifiable by their
municipality.

:func:`to_svg` draws one map as an SVG figure (fixed circular layout, arrows with widths by
weight, labels, a title and an accessible ``<title>``/``<desc>``, no inline styles);
:func:`to_html_table` is its data-table alternative.

The field's actor groups (:data:`ACTOR_GROUPS`): state, politicians, chief executive, middle
managers, frontline professionals, other services, unions, citizens. Other group names are
allowed and drawn after these.

Examples
--------
>>> import pandas as pd
>>> from tillit.sem.trustmap import trust_map
>>> answers = pd.DataFrame({"country": ["NO", "NO", "NO"],
...                         "trust_politicians": [8, 6, 10], "trust_frontline": [9, 9, 6]})
>>> items = {"trust_politicians": ("chief_executive", "politicians"),
...          "trust_frontline": ("chief_executive", "frontline")}
>>> tm = trust_map(answers, items, scale=(0, 10), by="country", min_n=1)
>>> tm.edges[["source", "target", "weight", "n"]].round(3).to_dict("records")[0]
{'source': 'chief_executive', 'target': 'politicians', 'weight': 0.8, 'n': 3}
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tillit.analysis.results import Result
from tillit.sem.errors import ModelDataError, SEMError

__all__ = [
    "ACTOR_GROUPS",
    "ACTOR_LABELS",
    "TrustMap",
    "to_html_table",
    "to_svg",
    "trust_map",
]

#: The actor groups of the trust-reform field, in drawing order (clockwise from the top).
ACTOR_GROUPS: tuple[str, ...] = (
    "state",
    "politicians",
    "chief_executive",
    "middle_managers",
    "frontline",
    "other_services",
    "unions",
    "citizens",
)

#: English display labels of the actor groups.
ACTOR_LABELS: dict[str, str] = {
    "state": "State",
    "politicians": "Politicians",
    "chief_executive": "Chief executive",
    "middle_managers": "Middle managers",
    "frontline": "Frontline professionals",
    "other_services": "Other services",
    "unions": "Unions",
    "citizens": "Citizens",
}

ALL = "all"
EDGE_COLUMNS = [
    "group",
    "source",
    "target",
    "weight",
    "n",
    "sd",
    "se",
    "ci_low",
    "ci_high",
    "items",
    "suppressed",
]
PAIR_COLUMNS = [
    "group",
    "a",
    "b",
    "weight_ab",
    "weight_ba",
    "reciprocal",
    "reciprocity_min",
    "reciprocity_mean",
    "asymmetry",
]


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """Rows as named tuples (typed Any: columns are known by name, not to the type checker)."""
    return frame.itertuples(index=False)


def label(actor: str) -> str:
    """Display label of an actor group."""
    return ACTOR_LABELS.get(actor, actor.replace("_", " ").capitalize())


@dataclass(frozen=True, eq=False)
class TrustMap(Result):
    """Trust between actor groups, per group of respondents.

    Attributes
    ----------
    edges : pandas.DataFrame
        One row per group and directed edge: ``group``, ``source``, ``target``, ``weight``
        (mean trust 0..1), ``n``, ``sd``, ``se``, ``ci_low``, ``ci_high`` (t interval at
        ``level``), ``items`` (comma-separated), ``suppressed`` (fewer than ``min_n``).
    pairs : pandas.DataFrame
        One row per group and unordered pair of actors with an edge either way: ``a``, ``b``
        (in :data:`ACTOR_GROUPS` order), ``weight_ab``, ``weight_ba``, ``reciprocal`` (both
        directions present), ``reciprocity_min``, ``reciprocity_mean``, ``asymmetry``
        (``weight_ab - weight_ba``).
    groups : tuple of str
        The respondent groups (values of ``by``, or ``("all",)``).
    """

    edges: pd.DataFrame
    pairs: pd.DataFrame
    groups: tuple[str, ...]
    by: str | None
    min_n: int
    method: str
    level: float = 0.95
    warnings: tuple[str, ...] = ()

    title = "Trust map"

    def _meta(self) -> list[tuple[str, str]]:
        return [
            ("method", self.method),
            ("groups", ", ".join(self.groups) + (f" (by {self.by})" if self.by else "")),
            ("smallest reported n", str(self.min_n)),
        ]

    def to_frame(self) -> pd.DataFrame:
        """The edges."""
        return self.edges.copy()

    def actors(self, group: str | None = None) -> list[str]:
        """Actors with an edge in ``group`` (all groups if None), in drawing order."""
        e = self.edges if group is None else self.edges[self.edges.group == group]
        present = set(e.source) | set(e.target)
        known = [a for a in ACTOR_GROUPS if a in present]
        return known + sorted(present - set(ACTOR_GROUPS))


def _scales(
    items: Sequence[str], scale: tuple[float, float] | Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    out = {}
    for item in items:
        bounds = scale.get(item) if isinstance(scale, Mapping) else scale
        if bounds is None:
            raise ModelDataError(
                f"scale: no scale for item {item!r}.",
                argument="scale",
                value=item,
                hint="Give (min, max) for every item, or one (min, max) for all.",
            )
        lo, hi = float(bounds[0]), float(bounds[1])
        if not hi > lo:
            raise ModelDataError(
                f"scale: ({lo:g}, {hi:g}) for item {item!r} is not an interval (min < max).",
                argument="scale",
                value=(lo, hi),
                hint="Give the lowest and the highest answer, e.g. (0, 10) or (1, 5).",
            )
        out[item] = (lo, hi)
    return out


def _rescaled(data: pd.DataFrame, item: str, lo: float, hi: float) -> pd.Series:
    column = data[item]
    values = pd.to_numeric(column, errors="coerce")
    text = column[values.isna() & column.notna()]
    if len(text):
        raise ModelDataError(
            f"data: item {item!r} is not numeric (e.g. {text.iloc[0]!r}).",
            argument="data",
            value=item,
            hint="Recode the answers to numbers; 'don't know' should be missing.",
        )
    out = values[(values < lo) | (values > hi)]
    if len(out):
        raise ModelDataError(
            f"data: item {item!r} has the answer {out.iloc[0]:g} outside its scale "
            f"({lo:g}, {hi:g}).",
            argument="data",
            value=float(out.iloc[0]),
            hint="Set missing-value codes (e.g. -9, 99) to missing, or give the right scale.",
        )
    return (values.astype(float) - lo) / (hi - lo)


def trust_map(
    data: pd.DataFrame,
    items: Mapping[str, tuple[str, str]],
    *,
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] = (0.0, 10.0),
    by: str | None = None,
    min_n: int = 5,
    level: float = 0.95,
) -> TrustMap:
    """Build trust maps from survey items.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : mapping of str to (str, str)
        Item column -> ``(from_group, to_group)``: who trusts whom. Several items may map to
        the same edge (their per-respondent mean is used).
    scale : (float, float) or mapping of item to (float, float)
        Lowest and highest possible answer; answers are rescaled to 0..1.
    by : str, optional
        Column whose values define separate maps (``"country"``, a size class, ...).
    min_n : int
        Edges with fewer respondents are suppressed (disclosure control; default 5).
    level : float
        Confidence level of the t interval of each weight.

    Raises
    ------
    ModelDataError
        An item or ``by`` column missing, non-numeric answers, answers outside the scale, no
        items.
    """
    if not items:
        raise ModelDataError(
            "items: no items given.",
            argument="items",
            value={},
            hint="Map each item column to (from_group, to_group).",
        )
    needed = list(items) + ([by] if by else [])
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ModelDataError(
            f"data: {', '.join(repr(m) for m in missing)} not a column of the data.",
            argument="data",
            value=missing,
            hint=f"Columns are: {', '.join(map(str, list(data.columns)[:20]))}.",
        )
    for item, edge in items.items():
        if not (isinstance(edge, (tuple, list)) and len(edge) == 2 and edge[0] != edge[1]):
            raise ModelDataError(
                f"items: {item!r} maps to {edge!r}; expected (from_group, to_group) of two "
                "different groups.",
                argument="items",
                value=edge,
                hint="E.g. {'q12_politicians': ('chief_executive', 'politicians')}.",
            )
    if not isinstance(min_n, int) or min_n < 1:
        raise ModelDataError(
            f"min_n={min_n!r} is not allowed; use a whole number >= 1.",
            argument="min_n",
            value=min_n,
        )
    bounds = _scales(list(items), scale)
    rescaled = pd.DataFrame(
        {item: _rescaled(data, item, *bounds[item]) for item in items}, index=data.index
    )
    groups_col = (
        data[by].astype("string").fillna("(missing)") if by else pd.Series(ALL, index=data.index)
    )
    group_values = tuple(sorted(groups_col.unique()))
    by_edge: dict[tuple[str, str], list[str]] = {}
    for item, (a, b) in items.items():
        by_edge.setdefault((str(a), str(b)), []).append(item)

    records = []
    for group in group_values:
        rows = rescaled[groups_col == group]
        for (a, b), cols in by_edge.items():
            values = rows[cols].mean(axis=1, skipna=True).dropna().to_numpy()
            n = int(values.size)
            if n == 0:
                continue
            mean = float(values.mean())
            sd = float(values.std(ddof=1)) if n > 1 else math.nan
            se = sd / math.sqrt(n) if n > 1 else math.nan
            t = float(stats.t.ppf((1 + level) / 2, n - 1)) if n > 1 else math.nan
            suppressed = n < min_n
            nan = math.nan
            records.append(
                {
                    "group": group,
                    "source": a,
                    "target": b,
                    "weight": nan if suppressed else mean,
                    "n": n,
                    "sd": nan if suppressed else sd,
                    "se": nan if suppressed else se,
                    "ci_low": nan if suppressed else mean - t * se,
                    "ci_high": nan if suppressed else mean + t * se,
                    "items": ", ".join(cols),
                    "suppressed": suppressed,
                }
            )
    edges = pd.DataFrame.from_records(records, columns=EDGE_COLUMNS)
    tm = TrustMap(
        edges=edges,
        pairs=pd.DataFrame(columns=PAIR_COLUMNS),
        groups=group_values,
        by=by,
        min_n=min_n,
        method="mean trust rescaled to 0..1 (respondent mean over an edge's items), t interval",
        level=level,
    )
    return TrustMap(
        edges=edges,
        pairs=_pairs(tm),
        groups=group_values,
        by=by,
        min_n=min_n,
        method=tm.method,
        level=level,
    )


def _order(actor: str) -> tuple[int, str]:
    return (ACTOR_GROUPS.index(actor) if actor in ACTOR_GROUPS else len(ACTOR_GROUPS), actor)


def _pairs(tm: TrustMap) -> pd.DataFrame:
    records = []
    for group in tm.groups:
        e = tm.edges[(tm.edges.group == group) & ~tm.edges.suppressed]
        w = {(r.source, r.target): float(r.weight) for r in _rows(e)}
        seen = set()
        for s, t in w:
            a, b = sorted((s, t), key=_order)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            ab, ba = w.get((a, b), math.nan), w.get((b, a), math.nan)
            both = not (math.isnan(ab) or math.isnan(ba))
            records.append(
                {
                    "group": group,
                    "a": a,
                    "b": b,
                    "weight_ab": ab,
                    "weight_ba": ba,
                    "reciprocal": both,
                    "reciprocity_min": min(ab, ba) if both else math.nan,
                    "reciprocity_mean": (ab + ba) / 2 if both else math.nan,
                    "asymmetry": ab - ba if both else math.nan,
                }
            )
    return pd.DataFrame.from_records(records, columns=PAIR_COLUMNS)


def _group_or_error(tm: TrustMap, group: str | None) -> str:
    if group is None:
        if len(tm.groups) != 1:
            raise SEMError(
                f"group: the map has {len(tm.groups)} groups; name one.",
                argument="group",
                value=None,
                allowed=f"one of {list(tm.groups)}",
            )
        return tm.groups[0]
    if group not in tm.groups:
        raise SEMError(
            f"group={group!r} is not a group of this map.",
            argument="group",
            value=group,
            allowed=f"one of {list(tm.groups)}",
        )
    return group


def _fmt(x: float) -> str:
    return "suppressed" if math.isnan(x) else f"{x:.2f}"


def to_svg(
    tm: TrustMap,
    group: str | None = None,
    *,
    title: str | None = None,
    size: int = 560,
    id_prefix: str | None = None,
) -> str:
    """Draw the trust map of one group as SVG.

    Actors sit on a circle in :data:`ACTOR_GROUPS` order; each directed edge is an arc (bent to
    its left, so the two directions of a pair do not overlap) ending in an arrowhead, its width
    1 + 9 x weight and its colour darker with the weight. Every edge has a ``<title>`` with its
    numbers (a tooltip and for screen readers); the root has ``<title>`` and ``<desc>``.
    Suppressed edges are not drawn (the desc says how many). No inline styles or scripts.
    Element ids start with ``id_prefix`` (default ``trustmap-<group>``), so several maps can be
    inlined in one page.
    """
    group = _group_or_error(tm, group)
    pid = id_prefix or "trustmap-" + "".join(c if c.isalnum() else "-" for c in group)
    esc = html.escape
    edges = tm.edges[(tm.edges.group == group)]
    shown = edges[~edges.suppressed]
    actors = tm.actors(group)
    heading = title or (f"Trust map: {group}" if group != ALL else "Trust map")
    margin = 130  # room for the labels left and right of the circle
    width = size + 2 * margin
    top = 48
    cx, cy = width / 2, size / 2 + top - 10
    radius = size / 2 - 60
    pos = {}
    for k, actor in enumerate(actors):
        angle = -math.pi / 2 + 2 * math.pi * k / max(len(actors), 1)
        pos[actor] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    node_r = 9.0
    palette = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]

    strongest = shown.sort_values("weight", ascending=False)
    desc_parts = [
        f"Directed trust between {len(actors)} actor groups"
        + (f" ({tm.by} = {group})" if tm.by else "")
        + f": {len(shown)} edges, weight = mean trust from 0 to 1."
    ]
    if len(strongest):
        first, last = strongest.iloc[0], strongest.iloc[-1]
        desc_parts.append(
            f"Strongest: {label(first.source)} to {label(first.target)} {first.weight:.2f}; "
            f"weakest: {label(last.source)} to {label(last.target)} {last.weight:.2f}."
        )
    if len(edges) > len(shown):
        desc_parts.append(
            f"{len(edges) - len(shown)} edges from fewer than {tm.min_n} respondents are not shown."
        )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size + top}" '
        f'width="{width}" height="{size + top}" role="img" '
        f'aria-labelledby="{pid}-title {pid}-desc" class="trustmap">',
        f'<title id="{pid}-title">{esc(heading)}</title>',
        f'<desc id="{pid}-desc">{esc(" ".join(desc_parts))}</desc>',
        "<defs>",
    ]
    for k, colour in enumerate(palette):
        out.append(
            f'<marker id="{pid}-arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(
        f'<text x="{width / 2:.1f}" y="28" text-anchor="middle" font-family="sans-serif" '
        f'font-size="18" font-weight="bold" fill="#222">{esc(heading)}</text>'
    )
    out.append('<g class="edges" fill="none">')
    for r in _rows(shown.sort_values("weight")):
        (x1, y1), (x2, y2) = pos[r.source], pos[r.target]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        # Bend to the left of the direction of travel, so a -> b and b -> a are apart.
        bend = 0.12 * dist
        mx, my = (x1 + x2) / 2 + uy * bend, (y1 + y2) / 2 - ux * bend
        # Start and end just outside the node circles (shortened along the chord).
        sx, sy = x1 + ux * (node_r + 3), y1 + uy * (node_r + 3)
        ex, ey = x2 - ux * (node_r + 4), y2 - uy * (node_r + 4)
        k = min(int(r.weight * len(palette)), len(palette) - 1)
        stroke = 1.0 + 9.0 * float(r.weight)
        tip = (
            f"{label(r.source)} → {label(r.target)}: {r.weight:.2f} "
            f"(n = {r.n}, {tm.level:.0%} CI {_fmt(r.ci_low)} to {_fmt(r.ci_high)})"
        )
        out.append(
            f'<g class="edge" data-source="{esc(r.source)}" data-target="{esc(r.target)}">'
            f"<title>{esc(tip)}</title>"
            f'<path d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" '
            f'stroke="{palette[k]}" stroke-width="{stroke:.2f}" stroke-linecap="round" '
            f'marker-end="url(#{pid}-arrow-{k})"/>'
            f'<text x="{(sx + 2 * mx + ex) / 4:.1f}" y="{(sy + 2 * my + ey) / 4:.1f}" '
            'font-family="sans-serif" font-size="10" text-anchor="middle" fill="#333" '
            'stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{r.weight:.2f}</text></g>"
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for actor in actors:
        x, y = pos[actor]
        lx, ly = x + (x - cx) / radius * 26, y + (y - cy) / radius * 26
        anchor = "middle" if abs(x - cx) < 1 else ("start" if x > cx else "end")
        out.append(
            f'<g class="node" data-actor="{esc(actor)}"><title>{esc(label(actor))}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_r}" fill="#253494" stroke="#fff" '
            'stroke-width="2"/>'
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" font-family="sans-serif" '
            f'font-size="13" fill="#111">{esc(label(actor))}</text></g>'
        )
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def to_html_table(tm: TrustMap, group: str | None = None) -> str:
    """The data-table alternative of :func:`to_svg`: one row per edge, with n and interval."""
    group = _group_or_error(tm, group)
    esc = html.escape
    e = tm.edges[tm.edges.group == group]
    caption = f"Trust map: {group}" if group != ALL else "Trust map"
    rows = []
    for r in _rows(e):
        rows.append(
            "<tr>"
            f"<td>{esc(label(r.source))}</td><td>{esc(label(r.target))}</td>"
            f'<td class="num">{_fmt(r.weight)}</td><td class="num">{r.n}</td>'
            f'<td class="num">{_fmt(r.ci_low)}</td><td class="num">{_fmt(r.ci_high)}</td>'
            "</tr>"
        )
    return (
        f'<table class="result trustmap-table"><caption>{esc(caption)}</caption>'
        '<thead><tr><th scope="col">Who trusts</th><th scope="col">Whom</th>'
        '<th scope="col">Trust (0-1)</th><th scope="col">n</th>'
        f'<th scope="col">{tm.level:.0%} CI low</th><th scope="col">{tm.level:.0%} CI high</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"
    )


def weights_matrix(tm: TrustMap, group: str | None = None) -> pd.DataFrame:
    """Weights as an actor x actor matrix (rows trust columns), NaN where there is no edge."""
    group = _group_or_error(tm, group)
    actors = tm.actors(group)
    matrix = pd.DataFrame(np.nan, index=actors, columns=actors)
    for r in _rows(tm.edges[tm.edges.group == group]):
        matrix.loc[r.source, r.target] = r.weight
    return matrix
