"""Synthetic fieldwork for the demo: made-up but plausible responses to an instrument.

Nothing here is real. The model is deliberately simple and documented so that teaching examples
(response rates, nonresponse bias, skip logic in exports) have known answers.

The model
---------
Every frame member (a municipality's chief executive) gets an invitation on
:data:`FIELDWORK_START` and, unless they completed, refused or bounced, reminders after 10 and
21 days; the survey closes after 39 days. Each case's outcome and answers are drawn from its own
random stream, seeded with ``"<seed>:<country>:<code>"``, so a case gets the same data whatever
the frame or order.

1. **Undeliverable**: the invitation bounces with probability 0.015 (AAPOR 3.19).
2. **Response propensity** by country and size class (:data:`RESPONSE_RATE`): larger
   municipalities respond more, and Danish executives more than Norwegian ones (KL surveys of
   Danish municipal directors usually reach higher rates than comparable Norwegian surveys).
   That gives about half of the Norwegian and two thirds of the Danish cases answering.
3. Among respondents, **break-off** with probability 0.12: the respondent answers the first
   ``k`` visible pages (``k`` uniform from 1 to the number of visible pages minus 1) and leaves;
   that is a partial (AAPOR 1.2). The others complete (1.1).
4. Among non-respondents, an **explicit refusal** (the opt-out link) with probability 0.10
   (AAPOR 2.11); the rest are non-contacts (2.20).
5. **Adoption** of trust-based steering (the question ``adopt``) by country and size class
   (:data:`ADOPTION_RATE`): formal or informal adoption, split 60:40; of the rest 15 % "planned",
   3 % "don't know", otherwise "no". The question ``country`` is answered with the case's country.
6. **Other answers** are drawn question by question, in page order, only for the questions the
   skip logic asks (:func:`tillit.instruments.engine.is_relevant`) and only from the choices a
   ``choice_filter`` leaves (:func:`~tillit.instruments.engine.filtered_choices`); every page is
   then checked with :func:`~tillit.instruments.engine.check_page`, and a value that breaks a
   constraint is drawn again (or left blank). So skip logic, choice filters and constraints hold
   exactly as for a real respondent.

   * rating scales (choice names that are whole numbers): a discretised normal around 65 % of
     the range plus a respondent effect (sd 12 % of the range) shared by all items, so items
     correlate; "don't know" with probability 0.04.
   * other single choices: uniform over the choices left, "other" and "don't know" rarely.
   * multiple choices: each option with probability 0.3 (at least one), exclusive options
     ("none", "dk") rarely.
   * integers: a year from 2010 on (recent years likelier) for names like ``*_year``, otherwise
     0 to 25; decimals 0 to 100; dates in 2015-2026; free text left empty in 90 % of cases
     (the text of an "other" choice is always given).
   * item nonresponse: an optional question is left blank with probability 0.03.
7. **Paradata**: the respondent starts after an exponential delay (mean 3 days) from the
   invitation (or a reminder, for late respondents), spends a log-normal time on each page
   (median 35 s); language nn for 12 % of Norwegian cases in Nynorsk municipalities (else nb), da
   in Denmark; device desktop 70 %, phone 22 %, tablet 8 %.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tillit import registry
from tillit.errors import TillitError
from tillit.instruments import engine
from tillit.instruments.model import Group, Instrument, Question

#: First invitation of the synthetic fieldwork (09:00 Oslo time = 08:00 UTC).
FIELDWORK_START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
REMINDER_DAYS = (10, 21)
CLOSE_DAYS = 39

P_BOUNCE = 0.015
P_BREAKOFF = 0.12
P_REFUSAL = 0.10
P_DONT_KNOW = 0.04
P_ITEM_BLANK = 0.03

#: Probability of responding, by country and size class.
RESPONSE_RATE: Mapping[tuple[str, str], float] = {
    ("NO", "small"): 0.50,
    ("NO", "medium"): 0.56,
    ("NO", "large"): 0.62,
    ("NO", "city"): 0.71,
    ("DK", "small"): 0.58,
    ("DK", "medium"): 0.64,
    ("DK", "large"): 0.70,
    ("DK", "city"): 0.78,
}
#: Probability of formal or informal adoption of trust-based steering, by country and size class.
ADOPTION_RATE: Mapping[tuple[str, str], float] = {
    ("NO", "small"): 0.30,
    ("NO", "medium"): 0.40,
    ("NO", "large"): 0.52,
    ("NO", "city"): 0.64,
    ("DK", "small"): 0.45,
    ("DK", "medium"): 0.52,
    ("DK", "large"): 0.62,
    ("DK", "city"): 0.75,
}
DONT_KNOW = frozenset({"dk", "dont_know", "vet_ikke", "ved_ikke"})
EXCLUSIVE = frozenset({"none", "no_answer"}) | DONT_KNOW
TEXTS = {
    "nb": "Syntetisk svar (demo).",
    "nn": "Syntetisk svar (demo).",
    "da": "Syntetisk svar (demo).",
    "en": "Synthetic answer (demo).",
}


@dataclass(frozen=True)
class FrameCase:
    """What the model needs to know about a case."""

    case_id: str
    country: str
    municipality_code: str


@dataclass
class Visit:
    page: str
    entered_at: dt.datetime
    submitted_at: dt.datetime
    seconds: float
    language: str


@dataclass
class SyntheticCase:
    """The drawn fieldwork of one case (answers as stored: JSON values, dates as text)."""

    case_id: str
    outcome: str  # complete | partial | refusal | noncontact | bounced
    answers: dict[str, Any] = field(default_factory=dict)
    answer_pages: dict[str, str] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    language: str = ""
    device: str = ""
    invited_at: dt.datetime | None = None
    reminders: list[dt.datetime] = field(default_factory=list)
    opted_out_at: dt.datetime | None = None
    bounced_at: dt.datetime | None = None
    current_page: int = 0


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _is_scale(names: tuple[str, ...]) -> bool:
    numeric = [n for n in names if n.lstrip("-").isdigit()]
    return len(numeric) >= 3 and all(n.lstrip("-").isdigit() or n in DONT_KNOW for n in names)


class _Respondent:
    """Draws one respondent's answers, page by page, through the instrument engine."""

    def __init__(
        self, instrument: Instrument, rng: random.Random, country: str, size: str, lang: str
    ):
        self.inst = instrument
        self.rng = rng
        self.country = country
        self.size = size
        self.lang = lang
        self.latent = rng.gauss(0.0, 1.0)  # shared respondent effect on rating scales
        self.answers: dict[str, Any] = {}

    # -- single values ------------------------------------------------------------------------

    def _scale(self, names: tuple[str, ...]) -> str:
        values = sorted(int(n) for n in names if n.lstrip("-").isdigit())
        lo, hi = values[0], values[-1]
        width = hi - lo
        mean = lo + 0.65 * width + 0.12 * width * self.latent
        draw = round(self.rng.gauss(mean, width / 5))
        return str(min(hi, max(lo, draw)))

    def _adopt(self, names: tuple[str, ...]) -> str:
        r = self.rng.random()
        p = ADOPTION_RATE.get((self.country, self.size), 0.4)
        if r < p:
            pick = "formal" if self.rng.random() < 0.6 else "informal"
        elif r < p + (1 - p) * 0.15:
            pick = "planned"
        elif r < p + (1 - p) * 0.18:
            pick = "dk"
        else:
            pick = "no"
        return pick if pick in names else self.rng.choice(names)

    def _select_one(self, q: Question) -> str:
        names = tuple(c.name for c in self._choices(q))
        if not names:
            return ""
        if q.name == "country" and self.country in names:
            return self.country
        if q.name == "adopt":
            return self._adopt(names)
        dk = [n for n in names if n in DONT_KNOW]
        if dk and self.rng.random() < P_DONT_KNOW:
            return dk[0]
        if _is_scale(names):
            return self._scale(names)
        usual = [n for n in names if n not in DONT_KNOW and n != engine.OTHER] or list(names)
        if engine.OTHER in names and self.rng.random() < 0.03:
            return engine.OTHER
        return self.rng.choice(usual)

    def _select_multiple(self, q: Question) -> list[str]:
        names = [c.name for c in self._choices(q)]
        usual = [n for n in names if n not in EXCLUSIVE and n != engine.OTHER]
        if not usual or self.rng.random() < 0.02:
            rare = [n for n in names if n in EXCLUSIVE]
            return [rare[0]] if rare else names[:1]
        picked = [n for n in usual if self.rng.random() < 0.3] or [self.rng.choice(usual)]
        if engine.OTHER in names and self.rng.random() < 0.05:
            picked.append(engine.OTHER)
        return picked

    def _choices(self, q: Question) -> tuple[Any, ...]:
        if q.choice_filter or q.or_other or q.randomize:
            return engine.filtered_choices(q, self.answers, self.inst)
        lst = self.inst.choice_lists.get(q.list_name or "")
        return lst.choices if lst else ()

    def raw(self, q: Question) -> str | list[str] | None:
        """A raw form value for ``q`` (None: leave blank)."""
        required = bool(q.required) and q.required.lower() not in {"no", "false"}
        if not required and self.rng.random() < P_ITEM_BLANK:
            return None
        if q.type == "select_one":
            return self._select_one(q)
        if q.type in {"select_multiple", "rank"}:
            return self._select_multiple(q)
        if q.type == "integer":
            if q.name == "year" or q.name.endswith("_year") or q.name.startswith("year_"):
                return str(min(2026, 2010 + int(self.rng.expovariate(1 / 9))))
            return str(self.rng.randint(0, 25))
        if q.type == "decimal":
            return f"{self.rng.uniform(0, 100):.1f}"
        if q.type == "date":
            day = dt.date(2015, 1, 1) + dt.timedelta(days=self.rng.randint(0, 4000))
            return day.isoformat()
        if q.type == "text":
            specify = "other" in q.relevant  # the text of an "other" choice
            wanted = required or specify or self.rng.random() < 0.1
            return TEXTS.get(self.lang, TEXTS["en"]) if wanted else None
        return None

    # -- pages --------------------------------------------------------------------------------

    def answer_page(self, page: Group) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Answer one page; returns the page's stored values and its blank questions."""
        questions = engine.page_questions(page)
        conditional = {q.name for q in questions if q.relevant} | {
            q.name for q in questions if _under_condition(page, q)
        }
        submitted: dict[str, Any] = {}
        for q in questions:
            if q.type in {"note", "calculate"}:
                continue
            trial = {**self.answers, **submitted}
            if q.name in conditional and not engine.is_relevant(q, trial, self.inst):
                continue
            value = self.raw(q)
            if value not in (None, "", []):
                submitted[q.name] = value
                if (isinstance(value, list) and engine.OTHER in value) or value == engine.OTHER:
                    submitted[f"{q.name}_other"] = TEXTS.get(self.lang, TEXTS["en"])
        result = engine.check_page(self.inst, page, submitted, self.answers, self.lang)
        for attempt in range(5):
            if not result.errors:
                break
            for name in result.errors:
                base = name.removesuffix("_other")
                try:
                    q = self.inst.question(base)
                except KeyError:
                    submitted.pop(name, None)
                    continue
                value = self.raw(q)
                if value in (None, "", []) or attempt == 4:
                    submitted.pop(base, None)
                else:
                    submitted[base] = value
            result = engine.check_page(self.inst, page, submitted, self.answers, self.lang)
        merged = result.apply(self.answers) if not result.errors else dict(self.answers)
        self.answers = engine.clean_answers(self.inst, merged)
        stored = {k: _json(v) for k, v in self.answers.items()}
        blank = tuple(n for n in result.blank if n not in stored)
        return stored, blank


def _under_condition(page: Group, q: Question) -> bool:
    """Whether a group inside the page that holds ``q`` has its own ``relevant``."""

    def walk(items: tuple[Any, ...], conditional: bool) -> bool:
        for item in items:
            if isinstance(item, Group):
                if walk(item.children, conditional or bool(item.relevant)):
                    return True
            elif item is q:
                return conditional
        return False

    return walk(page.children, False)


def _language(m: Any, rng: random.Random) -> str:
    if m is None or m.country == "DK":
        return "da"
    if (m.language_form or "").lower().startswith("nyn") and rng.random() < 0.5:
        return "nn"
    return "nn" if rng.random() < 0.02 else "nb"


def _device(rng: random.Random) -> str:
    r = rng.random()
    return "desktop" if r < 0.70 else "phone" if r < 0.92 else "tablet"


def simulate_case(
    instrument: Instrument, fc: FrameCase, seed: int, languages: Iterable[str] = ()
) -> SyntheticCase:
    """Draw the fieldwork of one case (see the module docstring for the model)."""
    rng = random.Random(f"{seed}:{fc.country}:{fc.municipality_code}")  # noqa: S311 (not crypto)
    code = fc.municipality_code
    try:
        m = registry.get(code, country=fc.country)
    except TillitError:  # a code the registry no longer has: treat as a medium municipality
        m = None
    size = str(m.size_class) if m else "medium"
    invited = FIELDWORK_START + dt.timedelta(minutes=rng.randint(0, 90))
    reminder_times = [FIELDWORK_START + dt.timedelta(days=d) for d in REMINDER_DAYS]
    out = SyntheticCase(case_id=fc.case_id, outcome="noncontact", invited_at=invited)
    if rng.random() < P_BOUNCE:
        out.outcome = "bounced"
        out.bounced_at = invited + dt.timedelta(minutes=rng.randint(1, 30))
        return out
    responds = rng.random() < RESPONSE_RATE.get((fc.country, size), 0.55)
    if not responds:
        out.reminders = list(reminder_times)
        if rng.random() < P_REFUSAL:
            out.outcome = "refusal"
            out.opted_out_at = invited + dt.timedelta(hours=rng.uniform(1, 24 * 20))
            out.reminders = [t for t in reminder_times if t < out.opted_out_at]
        return out
    lang = _language(m, rng)
    langs = tuple(languages)
    if langs and lang not in langs:
        lang = langs[0]
    out.language, out.device = lang, _device(rng)
    # when they start: after the invitation, or after the first or second reminder
    wave = rng.choices((0, 1, 2), weights=(0.55, 0.28, 0.17))[0]
    sent = invited if wave == 0 else reminder_times[wave - 1]
    out.reminders = reminder_times[:wave]
    start = sent + dt.timedelta(hours=min(rng.expovariate(1 / 72), 24 * 9))
    resp = _Respondent(instrument, rng, fc.country, size, lang)
    breakoff = rng.random() < P_BREAKOFF
    pages = instrument.pages()
    now, n_done = start, 0
    limit: int | None = None
    page_of: dict[str, str] = {}
    blanks: dict[str, str] = {}
    for index, page in enumerate(pages):
        if not engine.is_relevant(page, resp.answers, instrument):
            continue
        if limit is None and breakoff:
            n_visible = len(engine.visible_pages(instrument, resp.answers))
            limit = rng.randint(1, max(1, n_visible - 1))
        if limit is not None and n_done >= limit:
            break
        seconds = rng.lognormvariate(math.log(35), 0.6)
        entered, now = now, now + dt.timedelta(seconds=seconds)
        stored, blank = resp.answer_page(page)
        for q in engine.page_questions(page):
            if q.name in stored:
                page_of.setdefault(q.name, page.name)
        blanks.update(dict.fromkeys(blank, page.name))
        out.visits.append(Visit(page.name, entered, now, round(seconds, 1), lang))
        out.current_page = index + 1
        n_done += 1
        now += dt.timedelta(seconds=rng.uniform(1, 4))
    out.answers = {name: None for name in blanks if name not in resp.answers}
    out.answers.update({k: _json(v) for k, v in resp.answers.items()})
    out.answer_pages = {n: page_of.get(n) or blanks.get(n) or "" for n in out.answers}
    out.started_at = start
    if breakoff and n_done < len(engine.visible_pages(instrument, resp.answers)):
        out.outcome = "partial"
    else:
        out.outcome = "complete"
        out.completed_at = now
    return out


def simulate(
    instrument: Instrument, cases: Iterable[FrameCase], seed: int = 2026
) -> list[SyntheticCase]:
    """Synthetic fieldwork for every case, reproducible from ``seed``."""
    return [simulate_case(instrument, fc, seed, instrument.languages) for fc in cases]
