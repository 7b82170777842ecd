"""The respondent-side logic of an instrument: skip logic, calculations, choice filters and the
checking of submitted pages (pure library; the web questionnaire and the server use the same
code, so what the browser shows is what the server enforces).

Answers are a mapping from question name to a typed value: ``str`` (text, select_one), ``int``
(integer), ``float`` (decimal), :class:`datetime.date` (date), ``list[str]`` (select_multiple and
rank, in order), and for calculations whatever they compute. A select with ``or_other`` stores its
"other" text under ``NAME_other``.

Semantics as in ODK: a question is relevant only if its own ``relevant`` and those of all
enclosing groups are true; answers to questions that are not relevant count as empty in every
expression and are dropped; calculations are recomputed in sheet order from the relevant answers.

Examples
--------
>>> from tillit.instruments.model import Instrument, Question, Group
>>> form = Instrument("f", "F", "1", "en", ("en",), (
...     Group("p1", {"en": "About you"}, children=(
...         Question("reform", "text", {"en": "Reform?"}, required="yes"),
...         Question("since", "integer", {"en": "Since?"}, relevant="${reform} = 'yes'",
...                  constraint=". >= 2000"),
...     )),
... ))
>>> result = check_page(form, "p1", {"reform": "yes", "since": "1999"}, {}, "nb")
>>> result.errors
{'since': 'Svaret oppfyller ikke kravene til dette spørsmålet.'}
>>> check_page(form, "p1", {"reform": "no", "since": "1999"}, {}, "en").values
{'reform': 'no'}
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tillit.errors import NotFoundError
from tillit.instruments.expressions import (
    ExpressionError,
    evaluate,
    interpolate,
    is_true,
)
from tillit.instruments.messages import OTHER_LABELS, message
from tillit.instruments.model import Choice, Group, Instrument, Question, text
from tillit.instruments.validate import is_expression_default

__all__ = [
    "MAX_TEXT_LENGTH",
    "OTHER",
    "Answer",
    "PageResult",
    "Progress",
    "check_page",
    "clean_answers",
    "compute_calculations",
    "default_value",
    "filtered_choices",
    "find_page",
    "is_relevant",
    "matrix_list",
    "page_questions",
    "parse_date",
    "progress",
    "relevance",
    "render",
    "text",
    "visible_pages",
]

#: Longest text answer accepted, in characters.
MAX_TEXT_LENGTH = 10_000
#: Name of the choice that ``or_other`` adds.
OTHER = "other"

#: A typed answer.
Answer = str | int | float | bool | dt.date | list[str]

_INPUT_TYPES = frozenset(
    {"text", "integer", "decimal", "date", "select_one", "select_multiple", "rank"}
)
_INTEGER = re.compile(r"^[+-]?\d{1,15}$")
_DECIMAL = re.compile(r"^[+-]?(?:\d{1,20}(?:\.\d{0,15})?|\.\d{1,15})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")


# ---------------------------------------------------------------------------------------------
# Relevance and calculations


@dataclass
class _State:
    values: dict[str, object]
    relevant: dict[str, bool]


def _condition(expr: str, values: Mapping[str, object], today: dt.date | None) -> bool:
    """A ``relevant`` condition; one that cannot be evaluated shows the item (fail open)."""
    if not expr:
        return True
    try:
        return is_true(expr, values, today=today)
    except ExpressionError:
        return True


def _calculated(expr: str, values: Mapping[str, object], today: dt.date | None) -> object:
    try:
        result = evaluate(expr, values, today=today)
    except ExpressionError:
        return ""
    if isinstance(result, float) and not isinstance(result, bool):
        if math.isnan(result) or math.isinf(result):
            return ""
        return int(result) if result.is_integer() and abs(result) < 2**53 else result
    return result


def _drop(values: dict[str, object], question: Question) -> None:
    values.pop(question.name, None)
    if question.or_other:
        values.pop(f"{question.name}_other", None)


def _resolve(
    instrument: Instrument,
    answers: Mapping[str, object],
    today: dt.date | None,
    skip: frozenset[str] = frozenset(),
) -> _State:
    """One pass in sheet order: relevance of every item, irrelevant answers dropped,
    calculations computed. Names in `skip` are treated as unanswered."""
    values = {k: v for k, v in answers.items() if k not in skip}
    relevant: dict[str, bool] = {}

    def visit(items: Sequence[Question | Group], parent_ok: bool) -> None:
        for item in items:
            ok = parent_ok and _condition(item.relevant, values, today)
            relevant[item.name] = ok
            if isinstance(item, Group):
                visit(item.children, ok)
            elif not ok:
                _drop(values, item)
            elif item.type == "calculate":
                values[item.name] = _calculated(item.calculation, values, today)

    visit(instrument.children, True)
    return _State(values, relevant)


def _name(item: Question | Group | str) -> str:
    return item if isinstance(item, str) else item.name


def is_relevant(
    item: Question | Group | str,
    answers: Mapping[str, object],
    instrument: Instrument,
    *,
    today: dt.date | None = None,
) -> bool:
    """Whether a question or group is asked: its ``relevant`` and those of all enclosing groups
    are true.

    Parameters
    ----------
    item : Question, Group or str
        The item or its name. A page from :meth:`Instrument.pages` that stands for loose
        top-level questions is relevant.
    answers : Mapping of str to object
        The respondent's answers so far.
    instrument : Instrument
    today : datetime.date, optional
        For ``today()``.
    """
    state = _resolve(instrument, answers, today)
    name = _name(item)
    if name in state.relevant:
        return state.relevant[name]
    if isinstance(item, Group):
        return _condition(item.relevant, state.values, today)
    raise NotFoundError(f"{name!r} is not a question or group of form {instrument.form_id!r}.")


def relevance(
    instrument: Instrument, answers: Mapping[str, object], *, today: dt.date | None = None
) -> dict[str, bool]:
    """Whether each question and group (by name) is asked, in one pass over the form."""
    return _resolve(instrument, answers, today).relevant


def compute_calculations(
    instrument: Instrument, answers: Mapping[str, object], *, today: dt.date | None = None
) -> dict[str, object]:
    """Values of the relevant ``calculate`` questions, computed in sheet order.

    Numbers that are whole come back as ``int``; a result that is not a number (``NaN``) or
    cannot be computed is ``""``.
    """
    state = _resolve(instrument, answers, today)
    return {
        q.name: state.values.get(q.name, "")
        for q in instrument.questions()
        if q.type == "calculate" and state.relevant.get(q.name)
    }


def clean_answers(
    instrument: Instrument, answers: Mapping[str, object], *, today: dt.date | None = None
) -> dict[str, object]:
    """The answers with those to irrelevant questions dropped and calculations recomputed.

    Use it after :meth:`PageResult.apply` when an answer may have changed which later questions
    are asked, and before storing a completed response.
    """
    return _resolve(instrument, answers, today).values


def page_questions(page: Group) -> list[Question]:
    """The questions of a page (or group), nested groups included, in sheet order."""

    def walk(items: Sequence[Question | Group]) -> Iterator[Question]:
        for item in items:
            if isinstance(item, Group):
                yield from walk(item.children)
            else:
                yield item

    return list(walk(page.children))


def _has_visible_content(group: Group, relevant: Mapping[str, bool]) -> bool:
    for item in group.children:
        if not relevant.get(item.name, True):
            continue
        if isinstance(item, Group):
            if _has_visible_content(item, relevant):
                return True
        elif item.type != "calculate":
            return True
    return False


def visible_pages(
    instrument: Instrument, answers: Mapping[str, object], *, today: dt.date | None = None
) -> tuple[Group, ...]:
    """The pages a respondent sees, in order: relevant pages with at least one relevant
    question or note (see :meth:`Instrument.pages`)."""
    state = _resolve(instrument, answers, today)
    return tuple(
        page
        for page in instrument.pages()
        if state.relevant.get(page.name, True) and _has_visible_content(page, state.relevant)
    )


def find_page(instrument: Instrument, page: Group | str) -> Group:
    """The page named `page` (a top-level group, or ``_pageN`` for loose questions)."""
    name = _name(page)
    for candidate in instrument.pages():
        if candidate.name == name:
            return candidate
    raise NotFoundError(
        f"Form {instrument.form_id!r} has no page {name!r}.",
        hint="Pages are the top-level groups; see Instrument.pages().",
    )


def matrix_list(group: Group) -> str | None:
    """The choice list of a matrix (grid): a ``field-list`` group whose children are all
    select_one questions with the same list; ``None`` for other groups."""
    if not group.is_field_list or not group.children:
        return None
    lists = {
        item.list_name if isinstance(item, Question) and item.type == "select_one" else None
        for item in group.children
    }
    if len(lists) != 1:
        return None
    return lists.pop()


# ---------------------------------------------------------------------------------------------
# Choices


def _choice_fields(choice: Choice, instrument: Instrument) -> dict[str, object]:
    label = text(choice.labels, instrument.default_language, instrument.default_language)
    return {**choice.extra, "name": choice.name, "label": label}


def _other_choice(instrument: Instrument) -> Choice:
    labels = dict(OTHER_LABELS)
    for code in instrument.languages:
        labels.setdefault(code, OTHER_LABELS["en"])
    return Choice(name=OTHER, labels=labels)


def _filtered(
    question: Question,
    values: Mapping[str, object],
    instrument: Instrument,
    today: dt.date | None,
    seed: str | None = None,
) -> tuple[Choice, ...]:
    clist = instrument.choice_lists.get(question.list_name or "")
    choices = list(clist.choices) if clist else []
    if question.choice_filter:
        kept = []
        for choice in choices:
            fields = _choice_fields(choice, instrument)
            try:
                if is_true(question.choice_filter, values, today=today, choice=fields):
                    kept.append(choice)
            except ExpressionError:
                kept.append(choice)
        choices = kept
    if question.randomize and seed is not None:
        # Not cryptographic: a stable order per respondent, so that going back keeps it.
        random.Random(f"{seed}:{question.name}").shuffle(choices)  # noqa: S311
    if question.or_other and all(c.name != OTHER for c in choices):
        choices.append(_other_choice(instrument))
    return tuple(choices)


def filtered_choices(
    question: Question,
    answers: Mapping[str, object],
    instrument: Instrument,
    *,
    today: dt.date | None = None,
    seed: str | None = None,
) -> tuple[Choice, ...]:
    """The choices a select question offers given the answers so far.

    Applies ``choice_filter`` (bare names refer to the choice's ``name``, ``label`` and extra
    columns), shuffles when ``randomize`` is set and a `seed` (e.g. the case id) is given, and
    adds the ``other`` choice (labelled Annet/Anna/Andet/Other) for ``or_other``.
    """
    state = _resolve(instrument, answers, today)
    return _filtered(question, state.values, instrument, today, seed)


# ---------------------------------------------------------------------------------------------
# Checking a submitted page


@dataclass(frozen=True)
class PageResult:
    """The outcome of :func:`check_page`.

    Attributes
    ----------
    page : str
        The page's name.
    values : Mapping of str to Answer
        Cleaned, typed values of the relevant, answered questions of the page (calculations and
        ``NAME_other`` texts included), also when other questions have errors.
    errors : Mapping of str to str
        Question name (or ``NAME_other``) -> message in the respondent's language.
    irrelevant : tuple of str
        Names on the page that skip logic leaves out: earlier answers to them must be dropped.
    blank : tuple of str
        Relevant questions left empty: earlier answers to them must be dropped.
    """

    page: str
    values: Mapping[str, Answer]
    errors: Mapping[str, str]
    irrelevant: tuple[str, ...] = ()
    blank: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the page has no errors and the respondent may go on."""
        return not self.errors

    def apply(self, answers: Mapping[str, object]) -> dict[str, object]:
        """`answers` with this page's values stored and its dropped answers removed."""
        merged = {
            k: v for k, v in answers.items() if k not in self.irrelevant and k not in self.blank
        }
        merged.update(self.values)
        return merged


class _InvalidError(Exception):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _one(raw: str | Sequence[str] | None) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.replace("\r\n", "\n").strip()
    items = [r for r in raw if r and r.strip()]
    if len(items) > 1:
        raise _InvalidError("choice")
    return items[0].strip() if items else ""


def _many(raw: str | Sequence[str] | None) -> list[str]:
    if raw is None:
        return []
    parts = raw.split() if isinstance(raw, str) else [p.strip() for p in raw if p and p.strip()]
    return list(dict.fromkeys(parts)) if parts else []


def parse_date(value: str) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` or day first (``31.12.2024``, ``31/12/2024``,
    ``31-12-2024``); ``None`` if it is not a valid date."""
    m = _ISO.match(value)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DAY_FIRST.match(value)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _parse_value(
    question: Question, raw: str | Sequence[str] | None, allowed: list[str]
) -> Answer | None:
    kind = question.type
    if kind in ("select_multiple", "rank"):
        items = _many(raw)
        if not items:
            return None
        if any(item not in allowed for item in items):
            raise _InvalidError("choice")
        if kind == "rank" and sorted(items) != sorted(set(allowed)):
            raise _InvalidError("rank")
        return items
    value = _one(raw)
    if not value:
        return None
    if kind == "text":
        if len(value) > MAX_TEXT_LENGTH:
            raise _InvalidError("too_long", limit=MAX_TEXT_LENGTH)
        return value
    if kind == "integer":
        compact = _SPACES.sub("", value)
        if not _INTEGER.match(compact):
            raise _InvalidError("integer")
        return int(compact)
    if kind == "decimal":
        compact = _SPACES.sub("", value)
        if compact.count(",") == 1 and "." not in compact:
            compact = compact.replace(",", ".")
        if not _DECIMAL.match(compact):
            raise _InvalidError("decimal")
        return float(compact)
    if kind == "date":
        day = parse_date(value)
        if day is None:
            raise _InvalidError("date")
        return day
    if kind == "select_one":
        if value not in allowed:
            raise _InvalidError("choice")
        return value
    return value


def _selected_other(value: Answer) -> bool:
    return value == OTHER or (isinstance(value, list) and OTHER in value)


def _required(question: Question, values: Mapping[str, object], today: dt.date | None) -> bool:
    if not question.required:
        return False
    if question.required == "yes":
        return True
    try:
        return is_true(question.required, values, today=today)
    except ExpressionError:
        return True


def _constraint_ok(
    question: Question, value: Answer, values: Mapping[str, object], today: dt.date | None
) -> bool:
    if not question.constraint:
        return True
    try:
        return is_true(question.constraint, values, current=value, today=today)
    except ExpressionError:
        return False


@dataclass
class _PageCheck:
    instrument: Instrument
    submitted: Mapping[str, str | Sequence[str]]
    language: str
    today: dt.date | None
    values: dict[str, object]
    out: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    irrelevant: list[str] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)

    def say(self, texts: Mapping[str, str], key: str, **params: object) -> str:
        own = text(texts, self.language, self.instrument.default_language)
        return interpolate(own, self.values) if own else message(key, self.language, **params)

    def visit(self, items: Sequence[Question | Group], parent_ok: bool) -> None:
        for item in items:
            ok = parent_ok and _condition(item.relevant, self.values, self.today)
            if isinstance(item, Group):
                self.visit(item.children, ok)
            elif not ok:
                self.irrelevant.append(item.name)
                if item.or_other:
                    self.irrelevant.append(f"{item.name}_other")
                _drop(self.values, item)
            elif item.type == "calculate":
                value = _calculated(item.calculation, self.values, self.today)
                self.values[item.name] = value
                self.out[item.name] = value  # type: ignore[assignment]
            elif item.type in _INPUT_TYPES:
                self.question(item)

    def question(self, q: Question) -> None:
        allowed: list[str] = []
        if q.type in ("select_one", "select_multiple", "rank"):
            allowed = [c.name for c in _filtered(q, self.values, self.instrument, self.today)]
        try:
            value = _parse_value(q, self.submitted.get(q.name), allowed)
        except _InvalidError as exc:
            self.errors[q.name] = message(exc.key, self.language, **exc.params)
            return
        if value is None:
            if _required(q, self.values, self.today):
                self.errors[q.name] = self.say(q.required_messages, "required")
            self.blank.append(q.name)
            if q.or_other:
                self.irrelevant.append(f"{q.name}_other")
            return
        self.values[q.name] = value
        if not _constraint_ok(q, value, self.values, self.today):
            self.errors[q.name] = self.say(q.constraint_messages, "constraint")
        self.out[q.name] = value
        if q.or_other:
            self.other(q, value)

    def other(self, q: Question, value: Answer) -> None:
        key = f"{q.name}_other"
        if not _selected_other(value):
            self.irrelevant.append(key)
            self.values.pop(key, None)
            return
        detail = _one(self.submitted.get(key))
        if not detail:
            self.errors[key] = message("other", self.language)
        elif len(detail) > MAX_TEXT_LENGTH:
            self.errors[key] = message("too_long", self.language, limit=MAX_TEXT_LENGTH)
        else:
            self.values[key] = detail
            self.out[key] = detail


def check_page(
    instrument: Instrument,
    page: Group | str,
    submitted: Mapping[str, str | Sequence[str]],
    answers: Mapping[str, object],
    language: str,
    *,
    today: dt.date | None = None,
) -> PageResult:
    """Check the answers a respondent submitted on one page.

    Parameters
    ----------
    instrument : Instrument
    page : Group or str
        The page, or its name (see :meth:`Instrument.pages`).
    submitted : Mapping of str to str or list of str
        Raw form values: a string per question, a list for select_multiple and rank (in rank
        order; a space-separated string works too), ``NAME_other`` for or_other texts. Keys of
        questions not on the page are ignored.
    answers : Mapping of str to object
        Typed answers stored so far (this page's earlier answers are replaced).
    language : str
        The respondent's language, for messages (``nb``, ``nn``, ``da``, ``en``; others fall back).
    today : datetime.date, optional
        For ``today()`` in expressions.

    Returns
    -------
    PageResult
        Typed values for the relevant questions (integers as ``int``, decimals as ``float`` and
        with a decimal comma accepted, dates as :class:`datetime.date` from ``YYYY-MM-DD`` or
        ``DD.MM.YYYY``, selects checked against the filtered choices), errors per question, and
        the names whose earlier answers must be dropped. Store it with :meth:`PageResult.apply`.
    """
    target = find_page(instrument, page)
    on_page = frozenset(
        name for q in page_questions(target) for name in (q.name, f"{q.name}_other")
    )
    state = _resolve(instrument, answers, today, skip=on_page)
    page_ok = state.relevant.get(target.name, True)  # loose-question pages have no condition
    check = _PageCheck(instrument, submitted, language, today, state.values)
    check.visit(target.children, page_ok)
    return PageResult(
        page=target.name,
        values=check.out,
        errors=check.errors,
        irrelevant=tuple(dict.fromkeys(check.irrelevant)),
        blank=tuple(check.blank),
    )


# ---------------------------------------------------------------------------------------------
# Progress, defaults, texts


@dataclass(frozen=True)
class Progress:
    """How far a respondent has come.

    Attributes
    ----------
    n_answered : int
        Relevant questions (not notes or calculations) with an answer.
    n_relevant : int
        Relevant questions (not notes or calculations).
    n_pages : int
        Pages the respondent sees.
    share : float
        ``n_answered / n_relevant`` (1.0 when nothing is asked).
    """

    n_answered: int
    n_relevant: int
    n_pages: int
    share: float


def _answered(value: object) -> bool:
    return value is not None and value != "" and value != []


def progress(
    instrument: Instrument, answers: Mapping[str, object], *, today: dt.date | None = None
) -> Progress:
    """Answered and relevant question counts, and the number of visible pages."""
    state = _resolve(instrument, answers, today)
    asked = [
        q for q in instrument.questions() if q.type in _INPUT_TYPES and state.relevant.get(q.name)
    ]
    n_answered = sum(1 for q in asked if _answered(state.values.get(q.name)))
    n_pages = sum(
        1
        for page in instrument.pages()
        if state.relevant.get(page.name, True) and _has_visible_content(page, state.relevant)
    )
    share = n_answered / len(asked) if asked else 1.0
    return Progress(n_answered, len(asked), n_pages, share)


def default_value(
    question: Question, answers: Mapping[str, object], *, today: dt.date | None = None
) -> Answer | None:
    """The value a question starts with (its ``default``), typed; ``None`` if it has none or
    the default does not fit the question's type."""
    if not question.default:
        return None
    raw: object = question.default
    if is_expression_default(question.default):
        try:
            raw = evaluate(question.default, answers, today=today)
        except ExpressionError:
            return None
    if isinstance(raw, float):
        raw = str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, dt.date):
        raw = raw.isoformat()
    if isinstance(raw, list):
        raw = " ".join(raw)
    try:
        # Validation checks a default against the choice list; here the named choices are allowed.
        return _parse_value(question, str(raw), str(raw).split())
    except _InvalidError:
        return None


def render(label: str, answers: Mapping[str, object]) -> str:
    """A label or hint with ``${name}`` replaced by the answers (see
    :func:`~tillit.instruments.expressions.interpolate`)."""
    return interpolate(label, answers)
