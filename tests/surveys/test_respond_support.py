"""Shared pieces of the respondent tests (no tests here): a small four-language instrument built
from the dataclasses, survey and case factories, and HTML helpers.

The instrument has three pages: ``intro`` (``adopted`` yes/no, ``adopted_year`` shown on the
same page when yes), ``reform`` (skipped when adopted = no: sectors with "other", a matrix, a
ranking) and ``background`` (integer, decimal, date, long text).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator

from django.utils import timezone

from tillit.apps.surveys import services
from tillit.apps.surveys.models import Case, Contact, InstrumentVersion, Survey
from tillit.apps.surveys.tokens import derive_token, new_case_id, new_nonce, token_hash
from tillit.instruments.model import Choice, ChoiceList, Group, Instrument, Question


def _t(nb: str, nn: str, da: str, en: str) -> dict[str, str]:
    return {"nb": nb, "nn": nn, "da": da, "en": en}


def _choices(name: str, *items: tuple[str, dict[str, str]]) -> ChoiceList:
    return ChoiceList(name, tuple(Choice(n, labels) for n, labels in items))


REQUIRED_ADOPTED = _t(
    "Svar ja eller nei.", "Svar ja eller nei.", "Svar ja eller nej.", "Answer yes or no."
)
YEAR_MESSAGE = _t(
    "Skriv et årstall mellom 1990 og 2026.",
    "Skriv eit årstal mellom 1990 og 2026.",
    "Skriv et årstal mellem 1990 og 2026.",
    "Enter a year between 1990 and 2026.",
)

INSTRUMENT = Instrument(
    form_id="respond_test",
    title="Respondent test",
    version="1",
    default_language="nb",
    languages=("nb", "nn", "da", "en"),
    children=(
        Group(
            name="intro",
            labels=_t("Om kommunen", "Om kommunen", "Om kommunen", "About the municipality"),
            appearance="field-list",
            children=(
                Question(
                    "welcome",
                    "note",
                    labels=_t(
                        "Takk for at du svarer.",
                        "Takk for at du svarar.",
                        "Tak fordi du svarer.",
                        "Thank you for answering.",
                    ),
                ),
                Question(
                    "adopted",
                    "select_one",
                    labels=_t(
                        "Har kommunen innført tillitsreform?",
                        "Har kommunen innført tillitsreform?",
                        "Har kommunen indført tillidsreform?",
                        "Has the municipality adopted a trust reform?",
                    ),
                    list_name="yn",
                    required="yes",
                    required_messages=REQUIRED_ADOPTED,
                ),
                Question(
                    "adopted_year",
                    "integer",
                    labels=_t("Hvilket år?", "Kva år?", "Hvilket år?", "Which year?"),
                    hints=_t("Omtrent holder.", "Omtrent held.", "Omtrent er nok.", "Roughly."),
                    relevant="${adopted} = 'yes'",
                    constraint=". >= 1990 and . <= 2026",
                    constraint_messages=YEAR_MESSAGE,
                ),
            ),
        ),
        Group(
            name="reform",
            labels=_t("Reformen", "Reforma", "Reformen", "The reform"),
            relevant="${adopted} = 'yes'",
            appearance="field-list",
            children=(
                Question(
                    "sectors",
                    "select_multiple",
                    labels=_t("Hvilke sektorer?", "Kva sektorar?", "Hvilke områder?", "Sectors?"),
                    list_name="sector",
                    or_other=True,
                ),
                Group(
                    name="trust",
                    labels=_t(
                        "Hvor enig er du?",
                        "Kor samd er du?",
                        "Hvor enig er du?",
                        "How much do you agree?",
                    ),
                    appearance="field-list",
                    children=(
                        Question(
                            "tr_pol",
                            "select_one",
                            labels=_t(
                                "Politikerne stoler på oss",
                                "Politikarane stolar på oss",
                                "Politikerne stoler på os",
                                "Politicians trust us",
                            ),
                            list_name="agree",
                        ),
                        Question(
                            "tr_adm",
                            "select_one",
                            labels=_t(
                                "Vi stoler på politikerne",
                                "Vi stolar på politikarane",
                                "Vi stoler på politikerne",
                                "We trust the politicians",
                            ),
                            list_name="agree",
                        ),
                    ),
                ),
                Question(
                    "priorities",
                    "rank",
                    labels=_t("Ranger målene", "Ranger måla", "Rangér målene", "Rank the aims"),
                    list_name="aim",
                ),
            ),
        ),
        Group(
            name="background",
            labels=_t("Om deg", "Om deg", "Om dig", "About you"),
            appearance="field-list",
            children=(
                Question(
                    "years",
                    "integer",
                    labels=_t(
                        "Hvor mange år i stillingen?",
                        "Kor mange år i stillinga?",
                        "Hvor mange år i stillingen?",
                        "Years in the post?",
                    ),
                    required="yes",
                    constraint=". >= 0 and . <= 50",
                ),
                Question(
                    "share",
                    "decimal",
                    labels=_t("Andel", "Del", "Andel", "Share"),
                ),
                Question(
                    "start_date",
                    "date",
                    labels=_t("Startdato", "Startdato", "Startdato", "Start date"),
                ),
                Question(
                    "comment",
                    "text",
                    labels=_t("Kommentar", "Kommentar", "Kommentar", "Comment"),
                    appearance="multiline",
                ),
            ),
        ),
    ),
    choice_lists={
        "yn": _choices(
            "yn", ("yes", _t("Ja", "Ja", "Ja", "Yes")), ("no", _t("Nei", "Nei", "Nej", "No"))
        ),
        "sector": _choices(
            "sector",
            ("school", _t("Skole", "Skule", "Skole", "Schools")),
            ("care", _t("Omsorg", "Omsorg", "Omsorg", "Care")),
        ),
        "agree": _choices(
            "agree",
            *[(str(i), _t(f"nb{i}", f"nn{i}", f"da{i}", f"en{i}")) for i in range(1, 6)],
        ),
        "aim": _choices(
            "aim",
            ("quality", _t("Kvalitet", "Kvalitet", "Kvalitet", "Quality")),
            ("cost", _t("Kostnad", "Kostnad", "Omkostning", "Cost")),
            ("staff", _t("Ansatte", "Tilsette", "Medarbejdere", "Staff")),
        ),
    },
)

#: Instruments the patched ``services.load_instrument`` knows, by the version's sha256.
_INSTRUMENTS: dict[str, Instrument] = {}


def use_instruments(monkeypatch) -> None:
    """Let ``services.load_instrument`` return dataclass instruments registered here (and parse
    real sources as before)."""
    real = services.load_instrument

    def load(iv):
        return _INSTRUMENTS.get(iv.sha256) or real(iv)

    monkeypatch.setattr(services, "load_instrument", load)


def make_survey(
    project,
    instrument: Instrument = INSTRUMENT,
    *,
    status: str = Survey.Status.OPEN,
    mode: str = Survey.Mode.BOTH,
    slug: str = "",
    is_synthetic: bool = False,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Survey:
    """A survey of a dataclass instrument (rows made directly: a test factory)."""
    sha = uuid.uuid4().hex * 2
    _INSTRUMENTS[sha] = instrument
    iv = InstrumentVersion.objects.create(
        project=project,
        form_id=instrument.form_id,
        version=instrument.version,
        title=instrument.title,
        source_name="test.md",
        source_format="md",
        source=b"(dataclass instrument)",
        sha256=sha,
    )
    return Survey.objects.create(
        project=project,
        slug=slug or f"s{uuid.uuid4().hex[:8]}",
        title="Tillitsundersøkelsen",
        instrument=iv,
        mode=mode,
        status=status,
        default_language=instrument.default_language,
        open_key=uuid.uuid4().hex,
        opens_at=opens_at if opens_at is not None else timezone.now() - dt.timedelta(days=1),
        closes_at=closes_at,
        is_synthetic=is_synthetic,
    )


def make_case(survey: Survey, *, country: str = "NO", language: str = "") -> tuple[Case, str]:
    """A frame case with a contact; returns (case, token)."""
    case = Case.objects.create(
        survey=survey, case_id=new_case_id(), country=country, municipality_code="0301"
    )
    nonce = new_nonce()
    token = derive_token(survey.pk, case.case_id, nonce)
    Contact.objects.create(
        case=case,
        name="Test Person",
        email="test@example.invalid",
        language=language,
        token_nonce=nonce,
        token_hash=token_hash(token),
        invited_at=timezone.now(),
    )
    return case, token


def hidden_inputs(page: str) -> dict[str, str]:
    """The hidden inputs of a page (the signed visit stamp, the CSRF token)."""
    out = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            out[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return out


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# ---------------------------------------------------------------------------------------------
# A live server whose request threads each have their own database connection


@contextlib.contextmanager
def threaded_live_server(tmp_path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 from a thread pool, one database connection per request
    thread, as under gunicorn; yields the base URL. Needs ``transactional_db``.

    pytest-django's ``live_server`` hands every request thread the *same* connection when the
    test database is SQLite in memory, so concurrent requests would share one transaction.
    Here, on SQLite, the (empty) in-memory test database is copied to a file in ``tmp_path``
    (WAL, busy timeout and immediate transactions as configured) and the test thread and every
    request thread open their own connection to it; on PostgreSQL the test database is used as
    it is.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import connections
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    main = connections["default"]
    factory = None
    if main.vendor == "sqlite" and main.is_in_memory_db():
        path = tmp_path / "live.sqlite3"
        main.ensure_connection()
        target = sqlite3.connect(path)
        main.connection.backup(target)
        target.close()
        settings_dict = {**main.settings_dict, "NAME": str(path)}

        def factory():
            return main.__class__(settings_dict, "default")

    active: set[threading.Thread] = set()

    class Handler(QuietWSGIRequestHandler):
        # One request per connection: a browser's idle keep-alive connection would otherwise
        # keep a request thread, and its database connection, alive after the test.
        protocol_version = "HTTP/1.0"

    class Server(ThreadedWSGIServer):
        request_queue_size = 128

        def process_request_thread(self, request, client_address):
            active.add(threading.current_thread())
            try:
                if factory is not None:
                    connections["default"] = factory()
                super().process_request_thread(request, client_address)
            finally:
                active.discard(threading.current_thread())

    class Thread(LiveServerThread):
        def _create_server(self, connections_override=None):
            return Server((self.host, self.port), Handler, allow_reuse_address=False)

    if factory is not None:
        connections["default"] = factory()
    thread = Thread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for t in list(active):  # requests still on their way (an autosave, say)
            t.join(10)
        if factory is not None:
            connections["default"].close()
            connections["default"] = main
