"""Reading the project's qualitative data as plain records for :mod:`tillit.qda`.

Everything here reads; nothing writes. Codings become a pandas DataFrame with the columns
:mod:`tillit.qda.codings` expects (``source_id, start, end, code_id, coder``) plus
``coding_id``; coders are user names, codes and sources database ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from django.db.models import QuerySet
from django.db.models.functions import Length

from tillit.apps.qda.models import Case, CaseAssignment, Code, Coding, Source

CODING_FIELDS = ("source_id", "start", "end", "code_id", "coder")


def codings_frame(
    sources: QuerySet[Source] | Iterable[Source] | None = None,
    *,
    project: Any = None,
    coders: Sequence[str] | None = None,
    codes: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Codings of ``sources`` (or of the whole ``project``) as a DataFrame."""
    qs = Coding.objects.all()
    if project is not None:
        qs = qs.filter(project=project)
    if sources is not None:
        qs = qs.filter(source__in=list(sources) if not isinstance(sources, QuerySet) else sources)
    if coders:
        qs = qs.filter(coder__username__in=list(coders))
    if codes:
        qs = qs.filter(code_id__in=list(codes))
    rows = list(
        qs.order_by("source_id", "start", "end", "id").values_list(
            "source_id", "start", "end", "code_id", "coder__username", "id"
        )
    )
    return pd.DataFrame(rows, columns=[*CODING_FIELDS, "coding_id"]).astype(
        {"start": "int64", "end": "int64"}
    )


def lengths(sources: QuerySet[Source]) -> dict[int, int]:
    """Text length (code points) of each source, computed by the database."""
    return dict(sources.annotate(n=Length("text")).values_list("pk", "n"))


def texts(sources: QuerySet[Source] | Iterable[Source]) -> dict[int, str]:
    if isinstance(sources, QuerySet):
        return dict(sources.values_list("pk", "text"))
    return {s.pk: s.text for s in sources}


def code_names(project: Any) -> dict[int, str]:
    return dict(Code.objects.filter(project=project).values_list("pk", "name"))


def code_paths(project: Any) -> dict[int, str]:
    """``{id: "Parent/Child"}`` for readable tables."""
    rows = {
        pk: (name, parent)
        for pk, name, parent in Code.objects.filter(project=project).values_list(
            "pk", "name", "parent_id"
        )
    }
    out: dict[int, str] = {}
    for pk in rows:
        parts, node, seen = [], pk, set()
        while node is not None and node not in seen:
            seen.add(node)
            name, parent = rows[node]
            parts.append(name)
            node = parent
        out[pk] = "/".join(reversed(parts))
    return out


def case_table(project: Any) -> pd.DataFrame:
    """One row per (case, source, span) with the case's attributes as columns.

    ``start``/``end`` are empty for a whole source.
    """
    cases = {c.pk: c for c in Case.objects.filter(project=project)}
    rows = []
    for a in CaseAssignment.objects.filter(case__project=project).values(
        "case_id", "source_id", "start", "end"
    ):
        c = cases[a["case_id"]]
        rows.append(
            {
                "case_id": c.pk,
                "case": c.name,
                "source_id": a["source_id"],
                "start": a["start"],
                "end": a["end"],
                "municipality_code": c.municipality_code,
                **{f"attr:{k}": v for k, v in c.attributes.items()},
            }
        )
    return pd.DataFrame(rows)


def autocode_candidates(
    sources: Sequence[Source], method: str, pattern: str, *, unit: str = "match"
) -> list[dict[str, Any]]:
    """Proposals ``{"source", "start", "end", "snippet", "reason"}`` for review (nothing saved)."""
    from tillit.qda.search import autocode

    by_id = {s.pk: s.text for s in sources}
    lang = None
    langs = {s.language for s in sources if s.language}
    if len(langs) == 1:
        lang = langs.pop()
    if lang not in (None, "nb", "nn", "da", "sv", "en"):
        lang = None
    kwargs: dict[str, Any] = {"extend": unit}
    if method == "regex":
        kwargs["pattern"] = pattern
    elif method == "concept":
        kwargs["concept"] = [p.strip() for p in pattern.split(",") if p.strip()]
    else:
        kwargs["words"] = pattern
        kwargs["language"] = lang
    frame = autocode(by_id, **kwargs)
    return [
        {
            "source": int(r.source_id),
            "start": int(r.start),
            "end": int(r.end),
            "snippet": str(r.text)[:500],
            "reason": str(r.reason),
        }
        for r in frame.itertuples(index=False)
    ]


SOURCE_ATTRIBUTES = (
    "kind",
    "actor_type",
    "organisation",
    "municipality_code",
    "country",
    "language",
    "interviewer",
    "consent",
)


def query_data(project: Any, sources: QuerySet[Source]) -> Any:
    """:class:`tillit.qda.queries.QueryData` for the project: cases (by name), case and source
    attributes, and code names (a name selects the code and its sub-codes)."""
    from tillit.qda.queries import QueryData

    cases = {c.pk: c for c in Case.objects.filter(project=project)}
    membership = [
        {
            "case_id": cases[a["case_id"]].name,
            "source_id": a["source_id"],
            "start": a["start"],
            "end": a["end"],
        }
        for a in CaseAssignment.objects.filter(case__project=project, source__in=sources).values(
            "case_id", "source_id", "start", "end"
        )
    ]
    case_attrs = [
        {"case_id": c.name, "name": k, "value": v}
        for c in cases.values()
        for k, v in {
            **c.attributes,
            "municipality_code": c.municipality_code,
            "kind": c.kind,
        }.items()
        if v not in ("", None)
    ]
    source_attrs = []
    for s in sources.defer("text"):
        values = {k: getattr(s, k) for k in SOURCE_ATTRIBUTES} | dict(s.attributes)
        source_attrs += [
            {"source_id": s.pk, "name": k, "value": v} for k, v in values.items() if v != ""
        ]
    codes = list(Code.objects.filter(project=project).values_list("pk", "name", "parent_id"))
    kids: dict[int | None, list[int]] = {}
    for pk, _, parent in codes:
        kids.setdefault(parent, []).append(pk)

    def below(pk: int) -> list[int]:
        out = [pk]
        for k in kids.get(pk, []):
            out += below(k)
        return out

    names: dict[str, list[int]] = {}
    for pk, name, _ in codes:
        names.setdefault(name, []).extend(below(pk))
        names.setdefault(str(pk), []).append(pk)
    return QueryData(
        cases=pd.DataFrame(membership, columns=["case_id", "source_id", "start", "end"]).astype(
            {"start": "float64", "end": "float64"}  # a whole source: NaN, not None
        ),
        case_attributes=pd.DataFrame(case_attrs, columns=["case_id", "name", "value"]),
        source_attributes=pd.DataFrame(source_attrs, columns=["source_id", "name", "value"]),
        code_names=names,
    )
