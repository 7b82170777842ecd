"""The codebook of a survey export: every variable, its label, values and missing codes.

:func:`build_codebook` turns an :class:`~tillit.instruments.model.Instrument` (in one language)
and the survey's responses into a :class:`Codebook`: one :class:`Variable` per column of the
exported data set. Every writer (:mod:`tillit.interop.stats`, :mod:`tillit.interop.ddi`) and
the frame builder (:mod:`tillit.interop.dataset`) work from it, so all formats agree.

Variables, in this order
------------------------
``case_id``
    The pseudonymous case id (string). Never a name, e-mail or token.
frame columns
    Passed in by the caller as :class:`FrameColumn` (e.g. :data:`COUNTRY`). Columns marked
    ``identifying`` (e.g. :data:`MUNICIPALITY_CODE`: a chief executive is identifiable from the
    municipality) are left out unless ``include_municipality=True``; the web layer allows that
    only to a project owner and audits it.
``disposition``
    The AAPOR final disposition as a labelled integer: the code with the dot removed
    (``1.1 → 11``, ``1.2 → 12``, ``2.11 → 211``, ``2.20 → 220``, ``4.10 → 410``). The first
    digit is the AAPOR class; every label starts with the dotted code (``"2.11 refusal"``).
answers
    Per question type:

    * ``select_one``: one numeric variable. Choice names that are all whole numbers
      (``1`` … ``5``) are the codes; otherwise the choices are coded ``1 … k`` in list order and
      the mapping (``Variable.codes``) is kept in the codebook. A "don't know" choice
      (:data:`DONT_KNOW_NAMES`) is coded ``-8`` and declared missing. ``or_other`` adds the
      code ``max + 1`` for "other" and a string variable ``<q>_other`` with the text.
    * ``select_multiple``: one 0/1 variable per option, ``<q>_<option>``, labelled
      ``"question: option"``; choosing "don't know" sets every option variable to ``-8``.
      ``or_other`` adds the indicator ``<q>_other_sel`` and the text variable ``<q>_other``.
    * ``rank``: one variable per option, ``<q>_<option>``, holding its rank (1 = first).
    * ``integer``/``decimal``: numeric; ``text``: string; ``date``: date; ``calculate``:
      numeric when every value in the data is a number, else string.
    * ``note`` and groups: no variable.
paradata
    ``started``, ``completed`` (date-times, UTC), ``duration_s``, ``language``, ``device``.

Missing codes
-------------
Every numeric answer variable declares ``-7`` not reached (partial response), ``-8`` don't know,
``-9`` not asked (skip logic), labelled in the export language. String and date variables are
empty in all three cases (neither SPSS dates nor Stata strings can hold a code).

Examples
--------
>>> from tillit.instruments.model import Choice, ChoiceList, Instrument, Question
>>> yn = ChoiceList("yn", (Choice("1", {"en": "Yes"}), Choice("2", {"en": "No"}),
...                        Choice("dk", {"en": "Don't know"})))
>>> inst = Instrument("f", "Form", "1", "en", ("en",),
...     (Question("reform", "select_one", {"en": "Reform?"}, list_name="yn"),),
...     {"yn": yn})
>>> cb = build_codebook(inst, [], language="en", include_paradata=False)
>>> cb.names()
('case_id', 'disposition', 'reform')
>>> v = cb.variable("reform")
>>> dict(v.value_labels), v.missing[-8], dict(v.codes)
({1: 'Yes', 2: 'No'}, "Don't know", {'1': 1, '2': 2, 'dk': -8})
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.instruments.model import Group, Instrument, Question
from tillit.interop.naming import SafeNamer
from tillit.interop.texts import TEXTS, aapor_label, text

__all__ = [
    "COUNTRY",
    "DEFAULT_DISPOSITIONS",
    "DONT_KNOW_NAMES",
    "MISSING_DONT_KNOW",
    "MISSING_NOT_ASKED",
    "MISSING_NOT_REACHED",
    "MUNICIPALITY_CODE",
    "Codebook",
    "FrameColumn",
    "Variable",
    "build_codebook",
    "disposition_code",
    "missing_labels",
]

Kind = Literal["numeric", "string", "date", "datetime"]
Measure = Literal["nominal", "ordinal", "scale"]
Role = Literal["case", "frame", "disposition", "paradata", "answer", "option", "other", "rank"]

#: Declared missing code: the respondent of a partial (or no) response never reached the item.
MISSING_NOT_REACHED = -7
#: Declared missing code: the respondent chose "don't know".
MISSING_DONT_KNOW = -8
#: Declared missing code: skip logic made the item irrelevant, so it was not asked.
MISSING_NOT_ASKED = -9

#: Choice names that mean "don't know" (compared exactly: "DK" is Denmark, "dk" is don't know).
DONT_KNOW_NAMES = frozenset(
    {"dk", "dont_know", "don_t_know", "vet_ikke", "veit_ikkje", "ved_ikke", "vet_ikkje"}
)
#: AAPOR codes labelled in every export, whether or not they occur in the data.
DEFAULT_DISPOSITIONS = ("1.1", "1.2", "2.11", "2.12", "2.20", "2.30", "3.10", "3.19", "4.10")
#: Paradata columns, in export order, with their kind.
PARADATA: tuple[tuple[str, Kind], ...] = (
    ("started", "datetime"),
    ("completed", "datetime"),
    ("duration_s", "numeric"),
    ("language", "string"),
    ("device", "string"),
)
_AAPOR = re.compile(r"^[1-4](\.\d{1,4})?$")
_INTEGER = re.compile(r"^\d{1,9}$")
OTHER = "other"  # the choice name XLSForm's or_other adds


@dataclass(frozen=True)
class Variable:
    """One column of the exported data set.

    Attributes
    ----------
    name : str
        Safe name for SPSS and Stata (see :mod:`tillit.interop.naming`).
    label : str
        Variable label in the export language (``"question: option"`` for option variables).
    kind : {"numeric", "string", "date", "datetime"}
    value_labels : mapping of int to str
        Labels of valid values (missing codes are in ``missing``).
    missing : mapping of int to str
        Declared missing codes and their labels.
    question : str
        Name of the question (or metadata column) the variable comes from.
    option : str or None
        Choice name, for select_multiple and rank option variables.
    concepts : tuple of str
        Concept ids of the shared taxonomy (question's and option's).
    measure : {"nominal", "ordinal", "scale"}
    role : str
        ``case``, ``frame``, ``disposition``, ``paradata``, ``answer``, ``option``, ``other``
        or ``rank``.
    question_text : str
        The question's full wording in the export language (DDI ``qstnLit``).
    option_label : str or None
        The option's label, kept apart so writers can shorten the question part only.
    codes : mapping of str to int
        Raw answer to stored code: choice name to code for select_one; for select_multiple
        option variables, the "don't know" choices that make the whole question ``-8``.
    intended : str
        The name before it was made safe (``q_option`` for options).
    qtype : str
        Question type in the instrument; ``""`` for metadata.
    """

    name: str
    label: str
    kind: Kind
    value_labels: Mapping[int | str, str] = field(default_factory=dict)
    missing: Mapping[int, str] = field(default_factory=dict)
    question: str = ""
    option: str | None = None
    concepts: tuple[str, ...] = ()
    measure: Measure = "nominal"
    role: Role = "answer"
    question_text: str = ""
    option_label: str | None = None
    codes: Mapping[str, int] = field(default_factory=dict)
    intended: str = ""
    qtype: str = ""

    @property
    def label_parts(self) -> tuple[str, str]:
        """``(head, tail)``: a writer may shorten ``head`` but must keep ``tail`` whole."""
        if self.option_label is not None and self.question_text:
            return self.question_text, f": {self.option_label}"
        return self.label, ""

    def all_labels(self) -> dict[int | str, str]:
        """Value labels, then the labels of the declared missing codes."""
        out: dict[int | str, str] = dict(self.value_labels)
        out.update(self.missing.items())
        return out


@dataclass(frozen=True)
class Codebook:
    """Every variable of one export, in column order, and what the data set is."""

    title: str
    form_id: str
    version: str
    language: str
    variables: tuple[Variable, ...]
    n_cases: int

    def names(self) -> tuple[str, ...]:
        """Variable names in column order."""
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``.

        Raises
        ------
        NotFoundError
            When the codebook has no such variable.
        """
        for var in self.variables:
            if var.name == name:
                return var
        raise NotFoundError(
            f"The codebook has no variable {name!r}.",
            hint=f"Variables: {', '.join(self.names()[:20])}…",
        )

    def of_question(self, question: str) -> tuple[Variable, ...]:
        """The variables made from the question (or metadata column) ``question``."""
        return tuple(v for v in self.variables if v.question == question)

    def renamed(self) -> dict[str, str]:
        """Intended name to safe name, for every variable whose name had to change."""
        return {v.intended: v.name for v in self.variables if v.intended != v.name}


@dataclass(frozen=True)
class FrameColumn:
    """A column of the sampling frame the caller adds to every case (``response["frame"]``).

    Attributes
    ----------
    name : str
        Column name (made safe like every other).
    labels : mapping of str to str
        Variable label by language.
    kind : {"numeric", "string"}
    codes : mapping of str to int
        Raw value to numeric code, for numeric columns with labels.
    value_labels : mapping of int to mapping of str to str
        Value label by code, then language.
    identifying : bool
        Whether the column identifies a respondent (exported only with
        ``include_municipality=True``).
    measure : {"nominal", "ordinal", "scale"}
    """

    name: str
    labels: Mapping[str, str]
    kind: Kind = "string"
    codes: Mapping[str, int] = field(default_factory=dict)
    value_labels: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    identifying: bool = False
    measure: Measure = "nominal"


#: Country of the municipality: 1 Norway, 2 Denmark (raw values ``no``/``dk``, any case).
COUNTRY = FrameColumn(
    "country",
    TEXTS["country"],
    "numeric",
    codes={"no": 1, "dk": 2, "NO": 1, "DK": 2},
    value_labels={1: TEXTS["norway"], 2: TEXTS["denmark"]},
)
#: The municipality number (string, leading zeros kept). Identifying: a chief executive is one
#: person per municipality.
MUNICIPALITY_CODE = FrameColumn(
    "municipality_code", TEXTS["municipality_code"], "string", identifying=True
)


def missing_labels(language: str, dont_know: str | None = None) -> dict[int, str]:
    """The declared missing codes of a numeric answer variable, labelled in ``language``.

    Examples
    --------
    >>> missing_labels("nb")
    {-9: 'ikke spurt (filter)', -8: 'vet ikke', -7: 'ikke nådd (delvis svar)'}
    """
    return {
        MISSING_NOT_ASKED: text("not_asked", language),
        MISSING_DONT_KNOW: dont_know or text("dont_know", language),
        MISSING_NOT_REACHED: text("not_reached", language),
    }


def disposition_code(code: str) -> int:
    """The stored integer of an AAPOR disposition code: the dotted code without its dot.

    Raises
    ------
    TillitError
        When ``code`` is not an AAPOR code (``1``–``4``, a dot and one to four digits).

    Examples
    --------
    >>> disposition_code("1.1"), disposition_code("2.11"), disposition_code("4.10")
    (11, 211, 410)
    """
    code = str(code).strip()
    if not _AAPOR.match(code):
        raise TillitError(
            f"disposition={code!r} is not an AAPOR final disposition code.",
            hint="Use the dotted AAPOR code, e.g. 1.1 complete, 1.2 partial, 2.11 refusal.",
        )
    return int(code.replace(".", ""))


def _pick(labels: Mapping[str, str], language: str, fallback_language: str, default: str) -> str:
    if labels.get(language):
        return labels[language]
    if labels.get(fallback_language):
        return labels[fallback_language]
    return next((t for t in labels.values() if t), default)


class _Builder:
    """Accumulates variables with safe names (one per :func:`build_codebook` call)."""

    def __init__(self, instrument: Instrument, language: str, dont_know: Collection[str]):
        self.instrument = instrument
        self.language = language
        self.dont_know = set(dont_know)  # exact: "dk" is don't know, "DK" is Denmark
        self.namer = SafeNamer()
        self.variables: list[Variable] = []

    def label(self, labels: Mapping[str, str], default: str) -> str:
        return _pick(labels, self.language, self.instrument.default_language, default)

    def add(self, intended: str, **kw: Any) -> None:
        self.variables.append(Variable(name=self.namer(intended), intended=intended, **kw))

    def choices(self, question: Question) -> list[tuple[str, str, tuple[str, ...]]]:
        """(name, label, concepts) of the question's choices, ``other`` appended."""
        if not question.list_name or question.list_name not in self.instrument.choice_lists:
            raise TillitError(
                f"Question {question.name!r} ({question.type}) refers to the choice list "
                f"{question.list_name!r}, which the instrument does not have.",
                code=ErrorCode.INVALID_INPUT,
                hint="Add the list to the choices sheet or fix list_name, then export again.",
            )
        items = [
            (c.name, self.label(c.labels, c.name), c.concepts)
            for c in self.instrument.choice_lists[question.list_name].choices
        ]
        if question.or_other and OTHER not in {name for name, _, _ in items}:
            items.append((OTHER, text("other", self.language), ()))
        return items

    def question(self, q: Question, text_: str, calculate_kind: Kind) -> None:
        common: dict[str, Any] = {"question": q.name, "question_text": text_, "qtype": q.type}
        missing = missing_labels(self.language)
        if q.type == "select_one":
            self._select_one(q, text_, common)
        elif q.type in ("select_multiple", "rank"):
            self._options(q, text_, common)
        elif q.type in ("integer", "decimal"):
            self.add(
                q.name,
                label=text_,
                kind="numeric",
                missing=missing,
                measure="scale",
                concepts=q.concepts,
                **common,
            )
        elif q.type == "text":
            self.add(q.name, label=text_, kind="string", concepts=q.concepts, **common)
        elif q.type == "date":
            self.add(
                q.name, label=text_, kind="date", measure="scale", concepts=q.concepts, **common
            )
        elif q.type == "calculate":
            numeric = calculate_kind == "numeric"
            self.add(
                q.name,
                label=text_,
                kind=calculate_kind,
                concepts=q.concepts,
                missing=missing if numeric else {},
                measure="scale" if numeric else "nominal",
                **common,
            )

    def _select_one(self, q: Question, text_: str, common: dict[str, Any]) -> None:
        items = self.choices(q)
        valid = [(n, lab) for n, lab, _ in items if n not in self.dont_know]
        dk = [(n, lab) for n, lab, _ in items if n in self.dont_know]
        plain = [n for n, _ in valid if n != OTHER]
        numeric = bool(plain) and all(_INTEGER.match(n) for n in plain)
        numeric = numeric and len({int(n) for n in plain}) == len(plain)
        codes: dict[str, int] = {}
        if numeric:
            codes = {n: int(n) for n in plain}
            if any(n == OTHER for n, _ in valid):
                codes[OTHER] = max(codes.values()) + 1
        else:
            codes = {n: i for i, (n, _) in enumerate(valid, start=1)}
        labels = {codes[n]: lab for n, lab in valid}
        codes.update({n: MISSING_DONT_KNOW for n, _ in dk})
        ordinal = numeric or "likert" in q.appearance.split()
        self.add(
            q.name,
            label=text_,
            kind="numeric",
            value_labels=labels,
            missing=missing_labels(self.language, dk[0][1] if dk else None),
            measure="ordinal" if ordinal else "nominal",
            codes=codes,
            concepts=q.concepts,
            **common,
        )
        if q.or_other:
            self._other_text(q, text_, common)

    def _options(self, q: Question, text_: str, common: dict[str, Any]) -> None:
        items = self.choices(q)
        dk_codes = {n: MISSING_DONT_KNOW for n, _, _ in items if n in self.dont_know}
        rank = q.type == "rank"
        binary = {0: text("not_selected", self.language), 1: text("selected", self.language)}
        for name, label, concepts in items:
            if name in self.dont_know and not rank:
                continue  # "don't know" is coded -8 in every option variable
            intended = f"{q.name}_other_sel" if name == OTHER and not rank else f"{q.name}_{name}"
            self.add(
                intended,
                label=f"{text_}: {label}",
                kind="numeric",
                value_labels={} if rank else binary,
                missing=missing_labels(self.language),
                option=name,
                option_label=label,
                concepts=tuple(dict.fromkeys((*q.concepts, *concepts))),
                measure="ordinal" if rank else "nominal",
                role="rank" if rank else "option",
                codes={} if rank else dk_codes,
                **common,
            )
        if q.or_other and not rank:
            self._other_text(q, text_, common)

    def _other_text(self, q: Question, text_: str, common: dict[str, Any]) -> None:
        tail = text("other_specify", self.language)
        self.add(
            f"{q.name}_other",
            label=f"{text_}: {tail}",
            kind="string",
            option=OTHER,
            option_label=tail,
            role="other",
            concepts=q.concepts,
            **common,
        )


def _question_texts(instrument: Instrument, language: str) -> dict[str, str]:
    """Question name to label; rows of a matrix (field-list of one list) get the group label."""
    out: dict[str, str] = {}

    def visit(items: Sequence[Question | Group], matrix_label: str) -> None:
        for item in items:
            if isinstance(item, Group):
                selects = [c for c in item.children if isinstance(c, Question)]
                one_list = {c.list_name for c in selects if c.type == "select_one"}
                is_matrix = (
                    item.is_field_list
                    and len(selects) == len(item.children)
                    and len(one_list) == 1
                    and all(c.type == "select_one" for c in selects)
                )
                label = _pick(item.labels, language, instrument.default_language, "")
                visit(item.children, label if is_matrix and label else "")
            else:
                own = _pick(item.labels, language, instrument.default_language, item.name)
                out[item.name] = f"{matrix_label}: {own}" if matrix_label else own

    visit(instrument.children, "")
    return out


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(str(value).strip())
    except ValueError:
        return False
    return True


def build_codebook(
    instrument: Instrument,
    responses: Iterable[Mapping[str, Any]] = (),
    *,
    language: str | None = None,
    frame_columns: Sequence[FrameColumn] = (),
    include_municipality: bool = False,
    include_paradata: bool = True,
    dont_know: Collection[str] = DONT_KNOW_NAMES,
) -> Codebook:
    """Build the codebook of an export of ``instrument`` in ``language``.

    Parameters
    ----------
    instrument : Instrument
        The instrument version the responses answer.
    responses : iterable of mapping
        The cases (see :func:`tillit.interop.dataset.build_frame` for their shape). Used for the
        number of cases, the kind of ``calculate`` variables and the disposition codes present.
        Pass a list when the same responses go to :func:`build_frame` as well.
    language : str, optional
        Language of every label; default the instrument's default language.
    frame_columns : sequence of FrameColumn
        Sampling-frame columns to add after ``case_id`` (e.g. ``(COUNTRY, MUNICIPALITY_CODE)``).
    include_municipality : bool, default False
        Export frame columns marked ``identifying``. Only an owner may ask for it (enforced and
        audited by the web layer); the default keeps every export pseudonymous.
    include_paradata : bool, default True
        Add ``started``, ``completed``, ``duration_s``, ``language`` and ``device``.
    dont_know : collection of str
        Choice names coded ``-8`` (compared case-insensitively).

    Returns
    -------
    Codebook

    Raises
    ------
    TillitError
        When ``language`` is not a language of the instrument, a choice list is missing, or a
        disposition code is not an AAPOR code.
    """
    language = language or instrument.default_language
    if instrument.languages and language not in instrument.languages:
        raise TillitError(
            f"language={language!r} is not a language of instrument {instrument.form_id!r}.",
            hint=f"Choose one of: {', '.join(instrument.languages)}.",
        )
    questions = [q for q in instrument.questions() if q.type != "note"]
    calculates = {q.name for q in questions if q.type == "calculate"}
    calc_numeric = dict.fromkeys(calculates, True)
    calc_seen: set[str] = set()
    dispositions: set[str] = set(DEFAULT_DISPOSITIONS)
    n_cases = 0
    for response in responses:
        n_cases += 1
        code = response.get("disposition")
        if code:
            disposition_code(str(code))  # validates
            dispositions.add(str(code).strip())
        answers = response.get("answers") or {}
        for name in calculates:
            value = answers.get(name)
            if value is None or value == "":
                continue
            calc_seen.add(name)
            if calc_numeric[name] and not _is_number(value):
                calc_numeric[name] = False

    b = _Builder(instrument, language, dont_know)
    b.add(
        "case_id", label=text("case_id", language), kind="string", role="case", question="case_id"
    )
    for col in frame_columns:
        if col.identifying and not include_municipality:
            continue
        b.add(
            col.name,
            label=_pick(col.labels, language, "en", col.name),
            kind=col.kind,
            value_labels={
                code: _pick(labels, language, "en", str(code))
                for code, labels in col.value_labels.items()
            },
            measure=col.measure,
            role="frame",
            question=col.name,
            codes=dict(col.codes),
        )
    ordered = sorted(dispositions)
    b.add(
        "disposition",
        label=text("disposition", language),
        kind="numeric",
        value_labels={disposition_code(c): aapor_label(c, language) for c in ordered},
        role="disposition",
        question="disposition",
        codes={c: disposition_code(c) for c in ordered},
    )
    texts = _question_texts(instrument, language)
    for q in questions:
        kind: Kind = "numeric" if calc_numeric.get(q.name) and q.name in calc_seen else "string"
        b.question(q, texts[q.name], kind)
    if include_paradata:
        for name, pkind in PARADATA:
            b.add(
                name,
                label=text(name, language),
                kind=pkind,
                role="paradata",
                question=name,
                measure="scale" if pkind != "string" else "nominal",
            )
    return Codebook(
        title=instrument.title,
        form_id=instrument.form_id,
        version=instrument.version,
        language=language,
        variables=tuple(b.variables),
        n_cases=n_cases,
    )
