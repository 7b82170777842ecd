"""What a respondent sees: page chrome in the survey's language and the view model of one page.

The chrome (buttons, progress, thank-you and error texts) is written here in nb, nn, da and en
rather than taken from the gettext catalogues, because a respondent must see it in the *survey's*
language (chosen per respondent), whatever the interface language of the site is, and before
translators have touched the catalogues. Any other survey language falls back to English.

:func:`page_view` turns one page of an :class:`~tillit.instruments.model.Instrument` (a top-level
group) into plain dataclasses the templates print: labels and hints in the chosen language,
widgets with their current values, errors next to each field and in a summary, and the
``relevant`` state of each item. A ``field-list`` group of ``select_one`` questions on one choice
list becomes a matrix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tillit.instruments import engine, expressions
from tillit.instruments.expressions import ExpressionError
from tillit.instruments.model import Group, Instrument, Question, text

CHROME_LANGUAGES = ("nb", "nn", "da", "en")

#: Respondent chrome by key, then language. Placeholders are ``{named}``.
CHROME: Mapping[str, Mapping[str, str]] = {
    "page_of": {
        "nb": "Side {n} av {total}",
        "nn": "Side {n} av {total}",
        "da": "Side {n} af {total}",
        "en": "Page {n} of {total}",
    },
    "progress": {"nb": "Framdrift", "nn": "Framdrift", "da": "Fremskridt", "en": "Progress"},
    "next": {"nb": "Neste", "nn": "Neste", "da": "Næste", "en": "Next"},
    "back": {"nb": "Tilbake", "nn": "Tilbake", "da": "Tilbage", "en": "Back"},
    "finish": {"nb": "Send inn", "nn": "Send inn", "da": "Indsend", "en": "Finish"},
    "required": {
        "nb": "(må besvares)",
        "nn": "(må svarast på)",
        "da": "(skal besvares)",
        "en": "(required)",
    },
    "required_note": {
        "nb": "Spørsmål merket med * må besvares.",
        "nn": "Spørsmål merkte med * må svarast på.",
        "da": "Spørgsmål markeret med * skal besvares.",
        "en": "Questions marked * must be answered.",
    },
    "conditional": {
        "nb": "Bare hvis det passer med svaret ditt over.",
        "nn": "Berre om det passar med svaret ditt over.",
        "da": "Kun hvis det passer med dit svar ovenfor.",
        "en": "Only if it applies given your answer above.",
    },
    "error_summary": {
        "nb": "Se over svarene dine",
        "nn": "Sjå over svara dine",
        "da": "Se dine svar igennem",
        "en": "Please check your answers",
    },
    "error_prefix": {"nb": "Feil:", "nn": "Feil:", "da": "Fejl:", "en": "Error:"},
    "choose": {"nb": "– velg –", "nn": "– vel –", "da": "– vælg –", "en": "– choose –"},
    "other": {"nb": "Annet", "nn": "Anna", "da": "Andet", "en": "Other"},
    "other_specify": {
        "nb": "Annet, spesifiser",
        "nn": "Anna, spesifiser",
        "da": "Andet, angiv",
        "en": "Other, please specify",
    },
    "rank_position": {"nb": "Plass {n}", "nn": "Plass {n}", "da": "Plads {n}", "en": "Rank {n}"},
    "question": {"nb": "Spørsmål", "nn": "Spørsmål", "da": "Spørgsmål", "en": "Question"},
    "language": {"nb": "Språk", "nn": "Språk", "da": "Sprog", "en": "Language"},
    "saved": {"nb": "Lagret", "nn": "Lagra", "da": "Gemt", "en": "Saved"},
    "skip_link": {
        "nb": "Hopp til spørsmålene",
        "nn": "Hopp til spørsmåla",
        "da": "Spring til spørgsmålene",
        "en": "Skip to the questions",
    },
    "resume_note": {
        "nb": "Svarene lagres for hver side. Du kan ta pause og komme tilbake med samme lenke.",
        "nn": "Svara blir lagra for kvar side. Du kan ta pause og kome tilbake med same lenkja.",
        "da": "Dine svar gemmes for hver side. Du kan holde pause og komme tilbage med samme link.",
        "en": "Your answers are saved on every page. You can pause and return with the same link.",
    },
    "open_resume_note": {
        "nb": "Svarene lagres for hver side. Du kan ta pause og komme tilbake i samme nettleser.",
        "nn": "Svara blir lagra for kvar side. Du kan ta pause og kome tilbake i same nettlesaren.",
        "da": "Dine svar gemmes for hver side. Du kan holde pause og fortsætte i samme browser.",
        "en": "Your answers are saved on every page. You can pause and come back in this browser.",
    },
    "start": {
        "nb": "Start undersøkelsen",
        "nn": "Start undersøkinga",
        "da": "Start undersøgelsen",
        "en": "Start the survey",
    },
    "synthetic": {
        "nb": "Syntetisk undersøkelse: svarene her er ikke ekte data.",
        "nn": "Syntetisk undersøking: svara her er ikkje ekte data.",
        "da": "Syntetisk undersøgelse: svarene her er ikke rigtige data.",
        "en": "Synthetic survey: the answers here are not real data.",
    },
    "thanks_title": {
        "nb": "Takk for svarene!",
        "nn": "Takk for svara!",
        "da": "Tak for dine svar!",
        "en": "Thank you for your answers!",
    },
    "thanks_body": {
        "nb": "Svarene dine er lagret. Du kan nå lukke vinduet.",
        "nn": "Svara dine er lagra. Du kan no lukke vindauget.",
        "da": "Dine svar er gemt. Du kan nu lukke vinduet.",
        "en": "Your answers have been saved. You can now close this window.",
    },
    "completed_title": {
        "nb": "Du har allerede svart",
        "nn": "Du har alt svart",
        "da": "Du har allerede svaret",
        "en": "You have already answered",
    },
    "completed_body": {
        "nb": "Undersøkelsen er fullført med denne lenken. Takk for at du deltok.",
        "nn": "Undersøkinga er fullført med denne lenkja. Takk for at du var med.",
        "da": "Undersøgelsen er gennemført med dette link. Tak fordi du deltog.",
        "en": "The survey has been completed with this link. Thank you for taking part.",
    },
    "closed_title": {
        "nb": "Undersøkelsen er stengt",
        "nn": "Undersøkinga er stengd",
        "da": "Undersøgelsen er lukket",
        "en": "The survey is closed",
    },
    "closed_body": {
        "nb": "Det er ikke lenger mulig å svare. Takk for interessen.",
        "nn": "Det er ikkje lenger mogleg å svare. Takk for interessa.",
        "da": "Det er ikke længere muligt at svare. Tak for interessen.",
        "en": "It is no longer possible to answer. Thank you for your interest.",
    },
    "not_open_title": {
        "nb": "Undersøkelsen er ikke åpnet ennå",
        "nn": "Undersøkinga er ikkje opna enno",
        "da": "Undersøgelsen er ikke åbnet endnu",
        "en": "The survey is not open yet",
    },
    "not_open_body": {
        "nb": "Kom gjerne tilbake senere med den samme lenken.",
        "nn": "Kom gjerne tilbake seinare med den same lenkja.",
        "da": "Kom gerne tilbage senere med det samme link.",
        "en": "Please come back later with the same link.",
    },
    "opens_on": {
        "nb": "Den åpner {date}.",
        "nn": "Ho opnar {date}.",
        "da": "Den åbner {date}.",
        "en": "It opens on {date}.",
    },
    "opt_out_link": {
        "nb": "Jeg ønsker ikke å delta",
        "nn": "Eg ønskjer ikkje å delta",
        "da": "Jeg ønsker ikke at deltage",
        "en": "I do not wish to take part",
    },
    "opt_out_title": {
        "nb": "Meld deg av undersøkelsen",
        "nn": "Meld deg av undersøkinga",
        "da": "Afmeld dig undersøgelsen",
        "en": "Opt out of the survey",
    },
    "opt_out_body": {
        "nb": "Bekrefter du, får du ikke flere påminnelser om denne undersøkelsen, "
        "og vi registrerer at du ikke ønsket å delta.",
        "nn": "Stadfestar du, får du ikkje fleire påminningar om denne undersøkinga, "
        "og vi registrerer at du ikkje ønskte å delta.",
        "da": "Hvis du bekræfter, får du ikke flere påmindelser om denne undersøgelse, "
        "og vi registrerer, at du ikke ønskede at deltage.",
        "en": "If you confirm, you will get no more reminders about this survey, "
        "and we record that you did not wish to take part.",
    },
    "opt_out_confirm": {
        "nb": "Bekreft avmelding",
        "nn": "Stadfest avmelding",
        "da": "Bekræft afmelding",
        "en": "Confirm opting out",
    },
    "opt_out_done_title": {
        "nb": "Du er meldt av",
        "nn": "Du er meld av",
        "da": "Du er afmeldt",
        "en": "You have opted out",
    },
    "opt_out_done_body": {
        "nb": "Du får ingen flere påminnelser om denne undersøkelsen.",
        "nn": "Du får ingen fleire påminningar om denne undersøkinga.",
        "da": "Du får ikke flere påmindelser om denne undersøgelse.",
        "en": "You will get no more reminders about this survey.",
    },
    "back_to_survey": {
        "nb": "Tilbake til undersøkelsen",
        "nn": "Tilbake til undersøkinga",
        "da": "Tilbage til undersøgelsen",
        "en": "Back to the survey",
    },
    "too_many_title": {
        "nb": "For mange nye besvarelser",
        "nn": "For mange nye svar",
        "da": "For mange nye besvarelser",
        "en": "Too many new responses",
    },
    "too_many_body": {
        "nb": "Det er startet mange besvarelser fra nettverket ditt nylig. Prøv igjen om litt.",
        "nn": "Det er starta mange svar frå nettverket ditt nyleg. Prøv igjen om litt.",
        "da": "Der er startet mange besvarelser fra dit netværk for nylig. Prøv igen om lidt.",
        "en": "Many responses were started from your network recently. Please try again soon.",
    },
}

#: The invalid-link page is shown before any survey is known, so it speaks every language.
INVALID_LINK: Mapping[str, tuple[str, str]] = {
    "nb": (
        "Lenken er ikke gyldig",
        "Sjekk at du har kopiert hele lenken fra e-posten. Ta kontakt med avsenderen om det "
        "fortsatt ikke virker.",
    ),
    "nn": (
        "Lenkja er ikkje gyldig",
        "Sjekk at du har kopiert heile lenkja frå e-posten. Ta kontakt med avsendaren om det "
        "framleis ikkje verkar.",
    ),
    "da": (
        "Linket er ikke gyldigt",
        "Kontrollér, at du har kopieret hele linket fra e-mailen. Kontakt afsenderen, hvis det "
        "stadig ikke virker.",
    ),
    "en": (
        "This link is not valid",
        "Check that you copied the whole link from the e-mail. Contact the sender if it still "
        "does not work.",
    ),
}

#: Each language's name in that language, for the switcher.
LANGUAGE_NAMES: Mapping[str, str] = {
    "nb": "Norsk bokmål",
    "nn": "Norsk nynorsk",
    "da": "Dansk",
    "en": "English",
    "sv": "Svenska",
    "fi": "Suomi",
    "se": "Davvisámegiella",
}


def chrome(key: str, language: str, **values: Any) -> str:
    """One chrome string in ``language`` (English for a language we do not carry)."""
    texts = CHROME[key]
    text = texts.get(language) or texts["en"]
    return text.format(**values) if values else text


class Chrome:
    """Chrome strings for templates: ``{{ t.next }}``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in CHROME_LANGUAGES else "en"

    def __getitem__(self, key: str) -> str:
        return chrome(key, self.language)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_") or key not in CHROME:
            raise AttributeError(key)
        return chrome(key, self.language)


def references(expression: str) -> set[str]:
    """Names an expression refers to as ``${name}``."""
    try:
        return set(expressions.references(expression))
    except ExpressionError:
        return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}", expression or ""))


# ---------------------------------------------------------------------------------------------
# View model
# ---------------------------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool = False


@dataclass
class Field:
    """One question as the template prints it."""

    name: str
    #: note | text | textarea | integer | decimal | date | radio | select | checkbox | rank
    kind: str
    label: str
    hint: str = ""
    required: bool = False
    error: str = ""
    value: Any = ""
    options: list[Option] = field(default_factory=list)
    other: bool = False  # or_other: a text box for the "other" choice
    other_value: str = ""
    other_error: str = ""
    rank_slots: list[dict[str, Any]] = field(default_factory=list)
    hidden: bool = False  # not asked now, but answers on this page may change that
    id: str = ""
    anchor: str = ""  # the element the error summary links to

    @property
    def described_by(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


@dataclass
class Matrix:
    """A field-list group of select_one questions that share a choice list."""

    name: str
    label: str
    hint: str
    columns: list[tuple[str, str]]  # (choice name, label)
    rows: list[Field]
    hidden: bool = False
    kind: str = "matrix"
    id: str = ""


@dataclass
class Section:
    """A nested group that is not a matrix: a fieldset with a legend."""

    name: str
    label: str
    items: list[Field | Matrix | Section]
    hidden: bool = False
    kind: str = "section"
    id: str = ""


@dataclass
class PageView:
    name: str
    title: str
    items: list[Field | Matrix | Section]
    errors: list[tuple[str, str, str]]  # (anchor id, question label, message)
    has_required: bool


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _dom_id(name: str) -> str:
    return "q-" + _safe(name)


def is_matrix(group: Group) -> bool:
    """A field-list group of select_one questions on one list (and no "other" box)."""
    return engine.matrix_list(group) is not None and not any(
        isinstance(c, Question) and c.or_other for c in group.children
    )


def page_names(page: Group) -> set[str]:
    """Names of every question on a page, however deep."""
    return {q.name for q in engine.page_questions(page)}


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _required(q: Question) -> bool:
    return bool(q.required) and q.required.strip().lower() not in {"no", "false", "false()"}


class _Builder:
    def __init__(
        self,
        instrument: Instrument,
        page: Group,
        language: str,
        values: Mapping[str, Any],
        relevant: Mapping[str, bool],
        errors: Mapping[str, str],
        raw: Mapping[str, Any] | None,
        seed: str | None,
    ) -> None:
        self.instrument = instrument
        self.language = language
        self.values = values  # stored answers, overlaid by what this page holds now
        self.relevant = relevant
        self.errors = errors
        self.raw = raw  # what was typed, when a submission comes back with errors
        self.seed = seed
        self.on_page = page_names(page)
        self.summary: list[tuple[str, str, str]] = []
        self.has_required = False

    def text(self, texts: Mapping[str, str]) -> str:
        out = text(texts, self.language, self.instrument.default_language)
        return engine.render(out, self.values) if "${" in out else out

    def state(self, item: Question | Group) -> str:
        """ "show" (asked), "hide" (not asked now, may be after answers on this page), "drop"."""
        if self.relevant.get(item.name, True):
            return "show"
        if references(item.relevant) & self.on_page:
            return "hide"
        return "drop"

    def items(self, children: Sequence[Question | Group]) -> list[Field | Matrix | Section]:
        out: list[Field | Matrix | Section] = []
        for child in children:
            state = self.state(child)
            if state == "drop" or (isinstance(child, Question) and child.type == "calculate"):
                continue
            if isinstance(child, Group):
                built: Field | Matrix | Section = (
                    self.matrix(child) if is_matrix(child) else self.section(child)
                )
            else:
                built = self.field(child)
            built.hidden = state == "hide"
            out.append(built)
        return out

    def section(self, group: Group) -> Section:
        return Section(
            name=group.name,
            label=self.text(group.labels),
            items=self.items(group.children),
            id=_dom_id(group.name),
        )

    def matrix(self, group: Group) -> Matrix:
        questions = [c for c in group.children if isinstance(c, Question)]
        clist = self.instrument.choice_lists[questions[0].list_name or ""]
        columns = [(c.name, self.text(c.labels)) for c in clist.choices]
        rows = []
        for q in questions:
            state = self.state(q)
            if state == "drop":
                continue
            row = self.field(q)
            chosen = {o.value for o in row.options if o.checked}
            row.options = [
                Option(value=v, label=label, id=f"{row.id}-{_safe(v)}", checked=v in chosen)
                for v, label in columns
            ]
            row.anchor = row.options[0].id if row.options else row.id
            row.hidden = state == "hide"
            rows.append(row)
        return Matrix(
            name=group.name,
            label=self.text(group.labels),
            hint="",
            columns=columns,
            rows=rows,
            id=_dom_id(group.name),
        )

    def current(self, q: Question) -> Any:
        if self.raw is not None:
            return self.raw.get(q.name)
        if q.name in self.values:
            return self.values[q.name]
        return engine.default_value(q, self.values)

    def field(self, q: Question) -> Field:
        dom = _dom_id(q.name)
        required = _required(q) and q.type != "note"
        self.has_required = self.has_required or required
        f = Field(
            name=q.name,
            kind=q.type,
            label=self.text(q.labels),
            hint=self.text(q.hints),
            required=required,
            error=self.errors.get(q.name, ""),
            id=dom,
            anchor=dom,
        )
        if q.type == "note":
            return f
        value = self.current(q)
        if q.type in {"select_one", "select_multiple", "rank"}:
            self._choices(q, f, value)
        else:
            if q.type == "text" and "multiline" in q.appearance.split():
                f.kind = "textarea"
            f.value = "" if value is None else str(value)
        if f.error:
            self.summary.append((f.anchor, f.label, f.error))
        if f.other_error:
            self.summary.append((f"{f.id}-other", f.label, f.other_error))
        return f

    def _choices(self, q: Question, f: Field, value: Any) -> None:
        choices = engine.filtered_choices(q, self.values, self.instrument, seed=self.seed)
        selected = _as_list(value)
        f.options = [
            Option(
                value=c.name,
                label=self.text(c.labels),
                id=f"{f.id}-{_safe(c.name)}",
                checked=c.name in selected,
            )
            for c in choices
        ]
        if q.or_other:
            other_key = f"{q.name}_other"
            other = self.raw.get(other_key) if self.raw is not None else self.values.get(other_key)
            f.other = True
            f.other_value = "" if other is None else str(other)
            f.other_error = self.errors.get(other_key, "")
        if q.type == "select_one":
            f.kind = "select" if "minimal" in q.appearance.split() else "radio"
            f.value = selected[0] if selected else ""
            if f.kind == "radio" and f.options:
                f.anchor = f.options[0].id
        elif q.type == "select_multiple":
            f.kind = "checkbox"
            f.anchor = f.options[0].id if f.options else f.id
        else:
            f.kind = "rank"
            f.rank_slots = [
                {
                    "n": i + 1,
                    "id": f"{f.id}-rank{i + 1}",
                    "label": chrome("rank_position", self.language, n=i + 1),
                    "value": selected[i] if i < len(selected) else "",
                }
                for i in range(len(f.options))
            ]
            f.anchor = f"{f.id}-rank1"


def page_view(
    instrument: Instrument,
    page: Group,
    language: str,
    values: Mapping[str, Any],
    relevant: Mapping[str, bool],
    *,
    errors: Mapping[str, str] | None = None,
    raw: Mapping[str, Any] | None = None,
    seed: str | None = None,
) -> PageView:
    """The view model of ``page``: what to print, with values, errors and skip-logic state.

    ``values`` are the stored answers (with frame prefills); ``relevant`` maps item names to
    whether they are asked (computed over ``values`` overlaid by ``raw``); ``raw`` is what the
    respondent typed when a submission comes back with ``errors``; ``seed`` (the case id) keeps
    a randomised choice order stable for one respondent.
    """
    b = _Builder(instrument, page, language, values, relevant, errors or {}, raw, seed)
    items = b.items(page.children)
    return PageView(
        name=page.name,
        title=b.text(page.labels),
        items=items,
        errors=b.summary,
        has_required=b.has_required,
    )


def hidden_items(page: Group, relevant: Mapping[str, bool]) -> list[str]:
    """Names of the page's items (questions and groups) that skip logic hides now: what the
    optional script hides live."""
    out: list[str] = []

    def walk(children: Sequence[Question | Group]) -> None:
        for child in children:
            if not relevant.get(child.name, True):
                out.append(child.name)
            if isinstance(child, Group):
                walk(child.children)

    walk(page.children)
    return out


def language_choices(instrument: Instrument) -> list[tuple[str, str]]:
    """(code, name in that language) for the switcher, in the instrument's column order."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in instrument.languages]
