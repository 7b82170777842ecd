"""The case matrix: the mixed-methods joint display of a project.

One row per municipality (every municipality that appears in any source of the project, or a
chosen country or set), or per case of the qualitative project; columns drawn from every source,
joined through municipality codes (:mod:`tillit.registry`) and concept ids
(:mod:`tillit.taxonomy`):

=========================================  ======================================================
column id                                  value
=========================================  ======================================================
``registry.country`` / ``.county`` /       the registry's attributes of the municipality
``.population`` / ``.size_class``          (``registry.dk``: 1 Denmark, 0 Norway)
``register.adopted``                       1 if an initiative in the register is active, ended
                                           or abandoned (it was adopted), else 0
``register.first_year``                    earliest start year of its initiatives
``register.status``                        the most advanced status of its initiatives
``register.initiatives``                   number of initiatives (rejected ones not counted)
``register.measure:<concept>``             1 if an initiative lists the measure (or a narrower
                                           one), else 0
``register.problem:<concept>``             the same for problem perceptions (motives)
``screen.documents:<concept>``             documents with screening evidence for the concept
``screen.passages:<concept>``              passages with that evidence (rejected ones dropped)
``qda.present:<concept>``                  1 if a code pointing at the concept was applied
``qda.segments:<concept>``                 number of coded segments
``qda.coders:<concept>``                   who coded them
``survey.responded:<survey>``              1 if the municipality's chief executive answered
``survey.item:<survey>:<item>``            the answer, coded as in the survey's exports
``survey.scale:<survey>:<scale>``          mean of the answered items of a trust scale (items
                                           whose first concept is under ``relation.vertical``,
                                           ``relation.horizontal``,
                                           ``relation.form.institutional`` or
                                           ``.interpersonal``)
=========================================  ======================================================

A concept column counts the concept and every narrower concept (``measure.pilot`` includes
``measure.pilot.welfare_agreement``).

Disclosure: survey columns show one municipality's answers, and a chief executive is
identifiable by their municipality, so they are personal data. :func:`build` refuses them unless
``personal=True``; the views pass that only for roles that may see personal data (owners and
researchers), and exports carry them only in pseudonymous form (see :mod:`.exports`).

Every cell keeps references to its evidence (:class:`Ref`): the register initiative, the
document passage (by hash and offsets), the coded segment, the survey case.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit import registry
from tillit.errors import ErrorCode, TillitError

#: Initiative statuses that mean the reform was adopted (at some point).
ADOPTED = ("active", "ended", "abandoned")
#: Status order, most advanced first.
STATUS_ORDER = ("active", "ended", "abandoned", "planned", "suggested")
#: Trust scales of a survey: name -> concept-id prefix of its items.
SCALES = {
    "vertical": "relation.vertical",
    "horizontal": "relation.horizontal",
    "institutional": "relation.form.institutional",
    "interpersonal": "relation.form.interpersonal",
}
SOURCES = ("registry", "register", "screening", "qda", "survey")
REGISTRY_FIELDS = ("country", "dk", "county", "population", "size_class")
#: Respondent dispositions (AAPOR complete and partial).
RESPONDED = ("1.1", "1.2")
MAX_REFS = 200


@dataclass(frozen=True)
class Column:
    """One column of the matrix."""

    id: str
    source: str
    label: str
    kind: str = "number"  # "number" | "flag" | "text"
    personal: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "label": self.label,
            "kind": self.kind,
            "personal": self.personal,
        }


@dataclass(frozen=True)
class Row:
    key: str  # "NO:0301" or "case:<pk>"
    name: str
    country: str = ""
    code: str = ""


@dataclass(frozen=True)
class Ref:
    """A link from a cell to its evidence."""

    kind: str  # registry | initiative | passage | coding | survey_case
    label: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "label": self.label, "url": self.url}


@dataclass
class Matrix:
    """The built matrix: ``frame`` (index: row keys, columns: column ids), its rows and columns,
    and the evidence of each cell."""

    unit: str
    rows: list[Row]
    columns: list[Column]
    frame: pd.DataFrame
    evidence: dict[tuple[str, str], list[Ref]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    data: dict[str, list[Any]] = field(default_factory=dict, repr=False)  # while building

    def refs(self, row: str, column: str) -> list[Ref]:
        return self.evidence.get((row, column), [])

    def column(self, column_id: str) -> Column:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(column_id)

    def labelled(self) -> pd.DataFrame:
        """The frame with ``key`` and ``name`` first (identified: for the project's members)."""
        out = self.frame.copy()
        out.insert(0, "name", [r.name for r in self.rows])
        out.insert(0, "key", [r.key for r in self.rows])
        return out.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# column ids


def parse_column(column_id: str) -> tuple[str, str, list[str]]:
    """``"survey.item:exec:adopt"`` -> (``"survey"``, ``"item"``, ``["exec", "adopt"]``)."""
    head, _sep, arg = column_id.strip().partition(":")
    source, _dot, fld = head.partition(".")
    return source, fld, arg.split(":") if arg else []


def _concept_matches(concept: str, wanted: str) -> bool:
    return concept == wanted or concept.startswith(wanted + ".")


def in_scale(concepts: Sequence[str], prefix: str) -> bool:
    """An item belongs to a trust scale by its first (primary) concept, so each item is in one
    scale and a scale's items share their answer format."""
    return bool(concepts) and _concept_matches(concepts[0], prefix)


def scale_items(
    concepts: dict[str, Sequence[str]], formats: dict[str, Any], prefix: str
) -> list[str]:
    """The items of a trust scale: first concept under ``prefix`` (:func:`in_scale`), and of
    the answer format most of them share (so a 1-5 effect item does not join 0-10 ratings)."""
    inside = [n for n, cs in concepts.items() if in_scale(cs, prefix)]
    if not inside:
        return []
    counts: dict[Any, int] = defaultdict(int)
    for n in inside:
        counts[formats.get(n)] += 1
    common = max(counts, key=lambda f: counts[f])
    return [n for n in inside if formats.get(n) == common]


def _taxonomy() -> Any:
    from tillit.taxonomy import load_taxonomy

    return load_taxonomy()


def _concept_label(concept: str, lang: str) -> str:
    tax = _taxonomy()
    return tax.get(concept).label(lang) if concept in tax else concept


def column_info(column_id: str, lang: str = "en", surveys: dict[str, Any] | None = None) -> Column:
    """The :class:`Column` of an id, or a :class:`TillitError` naming what is allowed."""
    source, fld, args = parse_column(column_id)
    if source == "registry" and fld in REGISTRY_FIELDS and not args:
        labels = {
            "country": _("Country"),
            "dk": _("Denmark (1) or Norway (0)"),
            "county": _("County or region"),
            "population": _("Population"),
            "size_class": _("Size class"),
        }
        kind = {"population": "number", "dk": "flag"}.get(fld, "text")
        return Column(column_id, source, labels[fld], kind)
    if source == "register":
        if fld in ("adopted", "first_year", "status", "initiatives") and not args:
            labels = {
                "adopted": _("Adopted (register)"),
                "first_year": _("First start year (register)"),
                "status": _("Status (register)"),
                "initiatives": _("Initiatives (register)"),
            }
            kinds = {"adopted": "flag", "status": "text"}
            return Column(column_id, source, labels[fld], kinds.get(fld, "number"))
        if fld in ("measure", "problem") and len(args) == 1:
            what = _("register") if fld == "measure" else _("register, motive")
            label = f"{_concept_label(args[0], lang)} ({what})"
            return Column(column_id, source, label, "flag")
    if source == "screen" and fld in ("documents", "passages") and len(args) == 1:
        what = _("documents") if fld == "documents" else _("passages")
        return Column(column_id, "screening", f"{_concept_label(args[0], lang)} ({what})")
    if source == "qda" and fld in ("present", "segments", "coders") and len(args) == 1:
        what = {"present": _("coded"), "segments": _("segments"), "coders": _("coders")}[fld]
        kind = {"present": "flag", "coders": "text"}.get(fld, "number")
        return Column(column_id, "qda", f"{_concept_label(args[0], lang)} ({what})", kind)
    if source == "survey":
        if fld == "responded" and len(args) == 1:
            return Column(
                column_id,
                "survey",
                _("Responded (%(survey)s)") % {"survey": args[0]},
                "flag",
                personal=True,
            )
        if fld == "item" and len(args) == 2:
            label = args[1]
            if surveys and args[0] in surveys:
                label = surveys[args[0]].get("items", {}).get(args[1], label)
            return Column(column_id, "survey", f"{label} ({args[0]})", personal=True)
        if fld == "scale" and len(args) == 2 and args[1] in SCALES:
            names = {
                "vertical": _("Vertical trust"),
                "horizontal": _("Horizontal trust"),
                "institutional": _("Institutional trust"),
                "interpersonal": _("Interpersonal trust"),
            }
            return Column(column_id, "survey", f"{names[args[1]]} ({args[0]})", personal=True)
    raise TillitError(
        f"Unknown case-matrix column {column_id!r}.",
        ErrorCode.INVALID_INPUT,
        hint="Columns look like registry.population, register.adopted, "
        "register.measure:measure.delegation, screen.passages:measure, "
        "qda.segments:relation.vertical, survey.scale:SURVEY:vertical; "
        "list them with `tillit cases columns PROJECT`.",
    )


# ----------------------------------------------------------------------------------------------
# what the project has


def _muni(country: str, code: str) -> Any:
    try:
        return registry.get(code, country or None)
    except Exception:
        return None


def _key_for(code: str, country: str = "") -> str | None:
    code = (code or "").strip()
    if not code:
        return None
    m = _muni(country, code)
    if m is None:
        return f"{country.upper()}:{code}" if country else None
    return f"{m.country}:{m.code}"


def _survey_index(project: Any) -> dict[str, Any]:
    from tillit.apps.surveys.models import Survey

    return {s.slug: s for s in Survey.objects.filter(project=project).select_related("instrument")}


def available_columns(project: Any, *, personal: bool, lang: str = "en") -> list[Column]:
    """Every column the project's data can fill (survey columns only with ``personal``)."""
    from tillit.apps.corpus.models import PassageScore
    from tillit.apps.corpus.services import EVIDENCE_SCORE
    from tillit.apps.mapping.models import Initiative
    from tillit.apps.qda.models import Coding

    ids: list[str] = [f"registry.{f}" for f in REGISTRY_FIELDS]
    ids += [f"register.{f}" for f in ("adopted", "first_year", "status", "initiatives")]
    measures: set[str] = set()
    problems: set[str] = set()
    for ms, ps in Initiative.objects.filter(project=project, deleted_at__isnull=True).values_list(
        "measures", "problem_perceptions"
    ):
        measures.update(ms or [])
        problems.update(ps or [])
    ids += [f"register.measure:{c}" for c in sorted(_with_parents(measures, "measure"))]
    ids += [f"register.problem:{c}" for c in sorted(_with_parents(problems, "motive"))]
    screened = set(
        PassageScore.objects.filter(
            passage__document__project=project, score__gte=EVIDENCE_SCORE
        ).values_list("concept", flat=True)
    )
    for c in sorted(_with_parents(screened)):
        ids += [f"screen.documents:{c}", f"screen.passages:{c}"]
    coded = set(
        Coding.objects.filter(project=project)
        .exclude(code__concept_id="")
        .values_list("code__concept_id", flat=True)
    )
    for c in sorted(_with_parents(coded)):
        ids += [f"qda.present:{c}", f"qda.segments:{c}", f"qda.coders:{c}"]
    surveys: dict[str, Any] = {}
    if personal:
        surveys = survey_catalogue(project, lang)
        for slug, info in surveys.items():
            ids.append(f"survey.responded:{slug}")
            ids += [f"survey.scale:{slug}:{s}" for s in info["scales"]]
            ids += [f"survey.item:{slug}:{i}" for i in info["items"]]
    return [column_info(i, lang, surveys) for i in ids]


def _with_parents(concepts: Iterable[str], root: str | None = None) -> set[str]:
    """The concepts and their broader concepts (below the branch root, or from ``root``)."""
    out: set[str] = set()
    for c in concepts:
        parts = c.split(".")
        for n in range(1, len(parts) + 1):
            out.add(".".join(parts[:n]))
    if root is not None:
        out = {c for c in out if _concept_matches(c, root)}
    return out


def survey_catalogue(project: Any, lang: str = "en") -> dict[str, dict[str, Any]]:
    """Per survey: its analysable items (name -> label) and the trust scales it has."""
    from tillit.apps.surveys import services

    out: dict[str, dict[str, Any]] = {}
    for slug, survey in _survey_index(project).items():
        instrument = services.load_instrument(survey.instrument)
        items: dict[str, str] = {}
        concepts: dict[str, tuple[str, ...]] = {}
        lists: dict[str, str] = {}
        for q, _parents in instrument.walk():
            if hasattr(q, "children") or getattr(q, "type", "") in ("note", "text"):
                continue
            qtype = str(getattr(q, "type", ""))
            if not (qtype.startswith("select_one") or qtype in ("integer", "decimal")):
                continue
            labels = getattr(q, "labels", None) or {}
            label = labels.get(lang) or labels.get("en") or next(iter(labels.values()), q.name)
            items[q.name] = str(label)
            concepts[q.name] = tuple(getattr(q, "concepts", ()) or ())
            lists[q.name] = str(getattr(q, "list_name", "") or qtype)
        scales = [
            s for s, prefix in SCALES.items() if len(scale_items(concepts, lists, prefix)) >= 2
        ]
        out[slug] = {
            "items": items,
            "scales": scales,
            "concepts": concepts,
            "lists": lists,
            "title": survey.title,
        }
    return out


# ----------------------------------------------------------------------------------------------
# rows


@dataclass(frozen=True)
class RowSpec:
    """Which rows: ``unit`` municipality (from ``sources``, optionally limited to ``countries``
    or to the keys in ``codes``) or qda_case."""

    unit: str = "municipality"
    countries: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ("register", "screening", "qda", "survey")

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", tuple(normalise_key(c) for c in self.codes))
        object.__setattr__(self, "countries", tuple(c.upper() for c in self.countries))
        unknown = [s for s in self.sources if s not in SOURCES]
        if unknown:
            raise TillitError(
                f"Unknown source(s) for rows: {', '.join(unknown)}.",
                ErrorCode.INVALID_INPUT,
                hint="Use register, screening, qda or survey.",
            )

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None, unit: str = "municipality") -> RowSpec:
        d = d or {}
        return cls(
            unit=unit,
            countries=tuple(str(c) for c in d.get("countries") or ()),
            codes=tuple(str(c) for c in d.get("codes") or ()),
            sources=tuple(d.get("sources") or cls.sources),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "countries": list(self.countries),
            "codes": list(self.codes),
            "sources": list(self.sources),
        }


def normalise_key(text: str) -> str:
    """``"0301"``, ``"NO:301"``, ``"Oslo"`` -> ``"NO:0301"``; QDA case keys pass."""
    text = str(text).strip()
    if text.startswith("case:"):
        return text
    country, sep, code = text.partition(":")
    if not sep:
        country, code = "", text
    m = _muni(country, code)
    if m is None:
        found = registry.find(code)
        if len(found) == 1:
            m = found[0]
    if m is None:
        raise TillitError(
            f"{text!r} is not a current municipality code or name.",
            ErrorCode.INVALID_INPUT,
            hint="Give codes like NO:0301 or DK:101 (or an unambiguous name); look them up "
            "with `tillit registry find NAME`.",
        )
    return f"{m.country}:{m.code}"


def municipality_keys(project: Any, sources: Sequence[str]) -> set[str]:
    """Keys of every municipality that appears in the given sources of the project."""
    from tillit.apps.corpus.models import Document
    from tillit.apps.mapping.models import Initiative
    from tillit.apps.qda.models import Case as QdaCase
    from tillit.apps.qda.models import Source
    from tillit.apps.surveys.models import Case

    keys: set[str | None] = set()
    if "register" in sources:
        for country, code in Initiative.objects.filter(
            project=project, deleted_at__isnull=True
        ).values_list("country", "municipality_code"):
            keys.add(_key_for(code, country))
    if "screening" in sources:
        for code in (
            Document.objects.filter(project=project)
            .exclude(municipality_code="")
            .values_list("municipality_code", flat=True)
            .distinct()
        ):
            keys.add(_key_for(code))
    if "qda" in sources:
        for country, code in (
            Source.objects.filter(project=project)
            .exclude(municipality_code="")
            .values_list("country", "municipality_code")
        ):
            keys.add(_key_for(code, country))
        for code in (
            QdaCase.objects.filter(project=project)
            .exclude(municipality_code="")
            .values_list("municipality_code", flat=True)
        ):
            keys.add(_key_for(code))
    if "survey" in sources:
        for country, code in (
            Case.objects.filter(survey__project=project)
            .exclude(municipality_code="")
            .values_list("country", "municipality_code")
            .distinct()
        ):
            keys.add(_key_for(code, country))
    return {k for k in keys if k}


def _sort_key(key: str) -> tuple[int, str]:
    country, _sep, code = key.partition(":")
    return ({"NO": 0, "DK": 1}.get(country, 2), code.zfill(4))


def resolve_rows(project: Any, spec: RowSpec) -> list[Row]:
    if spec.unit == "qda_case":
        from tillit.apps.qda.models import Case as QdaCase

        rows = []
        for c in QdaCase.objects.filter(project=project).order_by("name", "id"):
            key = _key_for(c.municipality_code) if c.municipality_code else None
            country, _sep, code = (key or "").partition(":")
            rows.append(Row(f"case:{c.pk}", c.name, country, code))
        return rows
    if spec.unit != "municipality":
        raise TillitError(
            f"Unknown row unit {spec.unit!r}.",
            ErrorCode.INVALID_INPUT,
            hint="Use municipality or qda_case.",
        )
    keys = list(dict.fromkeys(spec.codes))
    if not keys:
        keys = sorted(municipality_keys(project, spec.sources), key=_sort_key)
    if spec.countries:
        keys = [k for k in keys if k.split(":")[0] in spec.countries]
    rows = []
    for key in keys:
        country, _sep, code = key.partition(":")
        m = _muni(country, code)
        rows.append(Row(key, m.name if m else key, country, code))
    return rows


# ----------------------------------------------------------------------------------------------
# building


def build(
    project: Any,
    columns: Sequence[str],
    rows: RowSpec | None = None,
    *,
    personal: bool = False,
    lang: str = "en",
    qda_sources: Any = None,
    only_rows: Sequence[str] | None = None,
) -> Matrix:
    """Build the matrix of ``project`` for ``columns`` over ``rows``.

    ``personal`` allows survey columns (one municipality's answers); without it they raise a
    :class:`TillitError` with code ``permission``. ``qda_sources`` limits qualitative columns to
    the sources the member may see. ``only_rows`` keeps just those row keys (a cell's page).
    """
    spec = rows or RowSpec()
    surveys = (
        survey_catalogue(project, lang) if any(c.startswith("survey.") for c in columns) else {}
    )
    cols = [column_info(c, lang, surveys) for c in dict.fromkeys(columns)]
    blocked = [c.id for c in cols if c.personal and not personal]
    if blocked:
        raise TillitError(
            "Survey columns show one municipality's answers, which are personal data: "
            f"{', '.join(blocked)}.",
            ErrorCode.PERMISSION,
            hint="Only owners and researchers of the project see them; exports carry them only "
            "in pseudonymous form.",
        )
    row_list = resolve_rows(project, spec)
    if only_rows is not None:
        wanted = set(only_rows)
        row_list = [r for r in row_list if r.key in wanted]
    keys = [r.key for r in row_list]
    frame = pd.DataFrame(index=pd.Index(keys, name="key"))
    m = Matrix(spec.unit, row_list, cols, frame)
    by_source: dict[str, list[Column]] = defaultdict(list)
    for c in cols:
        by_source[c.source].append(c)
    fill = {
        "registry": _fill_registry,
        "register": _fill_register,
        "screening": _fill_screening,
        "qda": _fill_qda,
        "survey": _fill_survey,
    }
    for source, some in by_source.items():
        if source == "qda":
            _fill_qda(project, m, some, qda_sources)
        elif source == "survey":
            _fill_survey(project, m, some, surveys)
        else:
            fill[source](project, m, some)
    m.frame = pd.DataFrame({c.id: m.data[c.id] for c in cols}, index=m.frame.index)
    m.data.clear()
    return m


def _municipal_rows(m: Matrix) -> dict[str, list[str]]:
    """Municipality key -> row keys (a QDA case row maps through its municipality)."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in m.rows:
        if r.country and r.code:
            out[f"{r.country}:{r.code}"].append(r.key)
    return out


def _set(
    m: Matrix, column: str, values: dict[str, Any], default: Any = np.nan, municipal: bool = False
) -> None:
    """Fill ``column``: ``values`` by row key, ``default`` elsewhere (NaN for rows without a
    municipality when ``municipal``)."""
    m.data[column] = [
        values.get(r.key, np.nan if municipal and not r.code else default) for r in m.rows
    ]


def _add_ref(m: Matrix, row: str, column: str, ref: Ref) -> None:
    refs = m.evidence.setdefault((row, column), [])
    if len(refs) < MAX_REFS:
        refs.append(ref)


def _fill_registry(project: Any, m: Matrix, cols: list[Column]) -> None:
    for c in cols:
        fld = parse_column(c.id)[1]
        values: dict[str, Any] = {}
        for r in m.rows:
            mu = _muni(r.country, r.code) if r.code else None
            if mu is None:
                continue
            if fld == "dk":
                values[r.key] = int(mu.country == "DK")
            elif fld == "population":
                values[r.key] = int(mu.population)
            else:
                values[r.key] = str(getattr(mu, "county_name" if fld == "county" else fld))
            url = reverse("registry-detail", args=[mu.country.lower(), mu.code])
            _add_ref(m, r.key, c.id, Ref("registry", f"{mu.name} ({mu.country} {mu.code})", url))
        _set(m, c.id, values, np.nan if fld in ("population", "dk") else None)


def _fill_register(project: Any, m: Matrix, cols: list[Column]) -> None:
    from tillit.apps.mapping.models import Initiative

    by_muni: dict[str, list[Any]] = defaultdict(list)
    for ini in Initiative.objects.filter(project=project, deleted_at__isnull=True).exclude(
        status="rejected"
    ):
        key = _key_for(ini.municipality_code, ini.country)
        if key:
            by_muni[key].append(ini)
    rows = _municipal_rows(m)
    for c in cols:
        _src, fld, args = parse_column(c.id)
        values: dict[str, Any] = {}
        for key, row_keys in rows.items():
            inis = by_muni.get(key, [])
            hits = inis
            if fld == "adopted":
                hits = [i for i in inis if i.status in ADOPTED]
                v: Any = int(bool(hits))
            elif fld == "first_year":
                years = [i.start_year for i in inis if i.start_year]
                hits = [i for i in inis if i.start_year and i.start_year == min(years)]
                v = min(years) if years else np.nan
            elif fld == "status":
                statuses = [i.status for i in inis if i.status in STATUS_ORDER]
                v = min(statuses, key=STATUS_ORDER.index) if statuses else None
                hits = [i for i in inis if i.status == v]
            elif fld == "initiatives":
                v = len(inis)
            else:
                attr = "measures" if fld == "measure" else "problem_perceptions"
                hits = [
                    i for i in inis if any(_concept_matches(x, args[0]) for x in getattr(i, attr))
                ]
                v = int(bool(hits))
            for rk in row_keys:
                values[rk] = v
                for i in hits:
                    url = reverse("mapping:initiative", args=[project.slug, i.pk])
                    _add_ref(m, rk, c.id, Ref("initiative", i.title, url))
        default = None if fld == "status" else (np.nan if fld == "first_year" else 0)
        # rows without a municipality (a QDA case without a code) have no value
        _set(m, c.id, values, default, municipal=fld not in ("status", "first_year"))


def _screen_hits(project: Any) -> list[dict[str, Any]]:
    from tillit.apps.corpus.models import Document, Label, PassageScore
    from tillit.apps.corpus.services import EVIDENCE_SCORE

    hits = list(
        PassageScore.objects.filter(
            passage__document__project=project,
            passage__document__status=Document.Status.OK,
            score__gte=EVIDENCE_SCORE,
        )
        .exclude(passage__document__municipality_code="")
        .values(
            "concept",
            "passage_id",
            "passage__start",
            "passage__end",
            "passage__document_id",
            "passage__document__sha256",
            "passage__document__title",
            "passage__document__filename",
            "passage__document__municipality_code",
        )
    )
    labels: dict[tuple[int, str], set[str]] = defaultdict(set)
    for pid, concept, decision in Label.objects.filter(
        passage__document__project=project, current=True
    ).values_list("passage_id", "concept", "decision"):
        labels[(pid, concept)].add(decision)
    # a passage every current label rejects is not evidence (as the corpus module decides)
    return [h for h in hits if labels.get((h["passage_id"], h["concept"]), set()) != {"reject"}]


def _fill_screening(project: Any, m: Matrix, cols: list[Column]) -> None:
    hits = _screen_hits(project)
    keyed: dict[str, str | None] = {}
    for h in hits:
        code = h["passage__document__municipality_code"]
        if code not in keyed:
            keyed[code] = _key_for(code)
    rows = _municipal_rows(m)
    for c in cols:
        _src, fld, args = parse_column(c.id)
        docs: dict[str, set[int]] = defaultdict(set)
        passages: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for h in hits:
            if not _concept_matches(h["concept"], args[0]):
                continue
            key = keyed.get(h["passage__document__municipality_code"])
            if key is None or key not in rows:
                continue
            docs[key].add(h["passage__document_id"])
            passages[key][h["passage_id"]] = h
        values: dict[str, Any] = {}
        for key, row_keys in rows.items():
            v = len(docs.get(key, ())) if fld == "documents" else len(passages.get(key, {}))
            for rk in row_keys:
                values[rk] = v
                for h in sorted(passages.get(key, {}).values(), key=lambda x: x["passage_id"]):
                    title = h["passage__document__title"] or h["passage__document__filename"]
                    url = reverse(
                        "corpus:by-hash", args=[project.slug, h["passage__document__sha256"]]
                    )
                    url += f"?start={h['passage__start']}&end={h['passage__end']}"
                    label = f"{title} [{h['passage__start']}–{h['passage__end']}]"
                    _add_ref(m, rk, c.id, Ref("passage", label, url))
        _set(m, c.id, values, 0, municipal=True)


def _fill_qda(project: Any, m: Matrix, cols: list[Column], sources: Any) -> None:
    from tillit.apps.qda.models import CaseAssignment, Coding, Source

    visible = sources if sources is not None else Source.objects.filter(project=project)
    visible_ids = set(visible.values_list("pk", flat=True))
    codings = list(
        Coding.objects.filter(project=project, source_id__in=visible_ids)
        .exclude(code__concept_id="")
        .select_related("code", "coder", "source")
        .order_by("source_id", "start", "id")
    )
    # which rows each coding belongs to
    src_rows: dict[int, set[str]] = defaultdict(set)
    span_rows: list[tuple[int, int, int, str]] = []
    muni_rows = _municipal_rows(m)
    for s in Source.objects.filter(pk__in=visible_ids).exclude(municipality_code=""):
        key = _key_for(s.municipality_code, s.country)
        for rk in muni_rows.get(key or "", []):
            src_rows[s.pk].add(rk)
    for a in CaseAssignment.objects.filter(case__project=project).select_related("case"):
        targets = {f"case:{a.case_id}"} & set(m.frame.index)
        if m.unit == "municipality" and a.case.municipality_code:
            targets |= set(muni_rows.get(_key_for(a.case.municipality_code) or "", []))
        for rk in targets:
            if a.start is None:
                src_rows[a.source_id].add(rk)
            else:
                span_rows.append((a.source_id, a.start, a.end or a.start, rk))
    per_coding: list[tuple[Any, set[str]]] = []
    for cd in codings:
        rks = set(src_rows.get(cd.source_id, set()))
        rks |= {
            rk for sid, s, e, rk in span_rows if sid == cd.source_id and cd.start < e and cd.end > s
        }
        if rks:
            per_coding.append((cd, rks))
    for c in cols:
        _src, fld, args = parse_column(c.id)
        segs: dict[str, list[Any]] = defaultdict(list)
        for cd, rks in per_coding:
            if _concept_matches(cd.code.concept_id, args[0]):
                for rk in rks:
                    segs[rk].append(cd)
        values: dict[str, Any] = {}
        for r in m.rows:
            found = segs.get(r.key, [])
            if fld == "present":
                values[r.key] = int(bool(found))
            elif fld == "segments":
                values[r.key] = len(found)
            else:
                values[r.key] = ", ".join(sorted({cd.coder.get_username() for cd in found}))
            for cd in found:
                url = reverse("qda:source", args=[project.slug, cd.source_id])
                label = (
                    f"{cd.source.name} [{cd.start}–{cd.end}] {cd.code.name} "
                    f"({cd.coder.get_username()})"
                )
                _add_ref(m, r.key, c.id, Ref("coding", label, url))
        _set(m, c.id, values, "" if fld == "coders" else 0)


def _survey_frame(survey: Any, lang: str = "en") -> tuple[pd.DataFrame, Any]:
    """Every case of the survey keyed by municipality, with its answers and scale scores."""
    from tillit.apps.analysis import data
    from tillit.apps.surveys.models import Case

    sd = data.load(survey, language=lang)
    cases = pd.DataFrame(
        list(
            Case.objects.filter(survey=survey).values(
                "case_id", "country", "municipality_code", "disposition"
            )
        ),
        columns=["case_id", "country", "municipality_code", "disposition"],
    )
    cases["key"] = [
        _key_for(code, country)
        for code, country in zip(cases["municipality_code"], cases["country"], strict=True)
    ]
    answers = sd.respondents.drop(
        columns=["country", "size_class", "county", "disposition"], errors="ignore"
    )
    out = cases.merge(answers, on="case_id", how="left")
    concepts = {it.name: it.concepts for it in sd.items if it.is_scored}
    formats = {it.name: it.categories or it.qtype for it in sd.items}
    for scale, prefix in SCALES.items():
        items = scale_items(concepts, formats, prefix)
        if len(items) >= 2:
            out[f"__scale_{scale}"] = out[items].astype(float).mean(axis=1, skipna=True)
    return out, sd


def _fill_survey(project: Any, m: Matrix, cols: list[Column], catalogue: dict[str, Any]) -> None:
    surveys = _survey_index(project)
    frames: dict[str, pd.DataFrame] = {}
    rows = _municipal_rows(m)
    for c in cols:
        _src, fld, args = parse_column(c.id)
        slug = args[0]
        if slug not in surveys:
            raise TillitError(
                f"The project has no survey {slug!r}.",
                ErrorCode.NOT_FOUND,
                hint="Columns name surveys by slug: " + (", ".join(surveys) or "(none yet)"),
            )
        if slug not in frames:
            frames[slug] = _survey_frame(surveys[slug])[0]
        f = frames[slug]
        if fld == "item" and args[1] not in f.columns:
            raise TillitError(
                f"Survey {slug!r} has no analysable item {args[1]!r}.",
                ErrorCode.INVALID_INPUT,
                hint="Items are single-choice and numeric questions; see `tillit cases columns`.",
            )
        if fld == "scale" and f"__scale_{args[1]}" not in f.columns:
            raise TillitError(
                f"Survey {slug!r} has no items for the {args[1]} trust scale.",
                ErrorCode.INVALID_INPUT,
                hint="A scale needs at least two items tagged with its concepts.",
            )
        values: dict[str, Any] = {}
        for rec in f.to_dict("records"):
            key = rec["key"]
            if key not in rows:
                continue
            responded = rec["disposition"] in RESPONDED
            if fld == "responded":
                v: Any = int(responded)
            elif fld == "item":
                v = rec.get(args[1])
            else:
                v = rec.get(f"__scale_{args[1]}")
            v = np.nan if v is None or (isinstance(v, float) and math.isnan(v)) else v
            url = reverse("surveys:case", args=[project.slug, slug, rec["case_id"]])
            for rk in rows[key]:
                values[rk] = v
                if fld == "responded" or responded:
                    _add_ref(m, rk, c.id, Ref("survey_case", rec["case_id"], url))
        _set(m, c.id, values)


def audit_personal_access(project: Any, matrix: Matrix, *, actor: Any, purpose: str) -> None:
    """Record the access to survey answers (once per survey shown)."""
    from tillit.apps.surveys.services import do_log_personal_data_access

    surveys = _survey_index(project)
    seen: set[str] = set()
    for c in matrix.columns:
        if c.personal:
            slug = parse_column(c.id)[2][0]
            if slug in surveys and slug not in seen:
                seen.add(slug)
                do_log_personal_data_access(
                    surveys[slug], purpose, actor=actor, detail=f"{len(matrix.rows)} rows"
                )
