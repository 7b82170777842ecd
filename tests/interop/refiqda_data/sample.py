"""A rich SYNTHETIC REFI-QDA project for the tests: every element tillit represents.

Texts are our own synthetic wording in nb and da, with æøå, a combining-free NFC text and
characters beyond the BMP (emoji, mathematical letters) to exercise code-point offsets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from tillit.interop.refiqda.model import (
    Case,
    Code,
    Coding,
    Note,
    NoteRef,
    QdaProject,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
)


def g(n: int) -> str:
    """A readable fixed GUID: g(1) == '00000000-0000-4000-8000-000000000001'."""
    return f"00000000-0000-4000-8000-{n:012d}"


T0 = datetime(2026, 3, 4, 9, 15, 30, tzinfo=UTC)
CET = timezone(timedelta(hours=1))

KARI, OLE = g(1), g(2)
TILLIT, VERTIKAL, HORISONTAL, DILEMMA, LIKEBEHANDLING = g(10), g(11), g(12), g(13), g(14)
KOMMUNE, INNBYGGERE, ANDEL, SAMTYKKE, DATO, REGISTRERT = g(20), g(21), g(22), g(23), g(24), g(25)
INTERVJU, FELTNOTAT, EMOJI = g(30), g(31), g(32)

INTERVJU_TEXT = (
    "SYNTETISK intervju.\n"
    "Intervjuer: Hvordan merker dere tillitsreformen?\n"
    "Rådmann: Vi har færre rapporteringskrav, og de ansatte får mer ansvar.\n"
    "Intervjuer: Og forholdet til staten?\n"
    "Rådmann: Staten styrer fortsatt detaljert – det er et dilemma for likebehandling.\n"
)
FELTNOTAT_TEXT = (
    "SYNTETISK feltnotat (da).\n"
    "Kommunaldirektøren fortæller om tillid mellem forvaltning og fagforeninger.\n"
    "Trepartssamarbejdet gør det lettere at fjerne meningsløse regler.\n"
)
EMOJI_TEXT = "SYNTETISK: 🙂 tillit 𝔗𝔯𝔲𝔰𝔱 👍🏽 og æøå — slutt\n"


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def project() -> QdaProject:
    """The rich project, already in canonical order."""
    codes = (
        Code(
            TILLIT,
            "Tillit",
            description="Tillit i og mellom forvaltningsnivåer.\nTo linjer.",
            color="#1f77b4",
            children=(
                Code(VERTIKAL, "Vertikal tillit", color="#ff7f0e", concept="trust.vertical"),
                Code(
                    HORISONTAL,
                    "Horisontal tillit",
                    concept="trust.horizontal",
                    inclusion="Tillit mellom tjenester og profesjoner.",
                    exclusion="Tillit til staten.",
                    example="«Vi stoler på barnevernet.»",
                ),
            ),
            concept="trust",
        ),
        Code(
            DILEMMA,
            "Dilemmaer",
            is_codable=False,
            children=(Code(LIKEBEHANDLING, "Likebehandling", description="Lik rett for alle"),),
        ),
    )
    variables = (
        Variable(KOMMUNE, "Kommune", "Text", "Kommunenummer"),
        Variable(INNBYGGERE, "Innbyggere", "Integer"),
        Variable(ANDEL, "Andel", "Float", "Andel ansatte i turnus"),
        Variable(SAMTYKKE, "Samtykke", "Boolean"),
        Variable(DATO, "Intervjudato", "Date"),
        Variable(REGISTRERT, "Registrert", "DateTime"),
    )
    sources = (
        TextSource(
            INTERVJU,
            "Intervju rådmann (SYNTETISK)",
            INTERVJU_TEXT,
            description="Syntetisk intervju",
            user=KARI,
            created=T0,
            modifying_user=OLE,
            modified=T0 + timedelta(days=1, microseconds=250),
            variables={
                KOMMUNE: "4601",
                SAMTYKKE: True,
                DATO: date(2026, 3, 1),
                ANDEL: 0.125,
                INNBYGGERE: 291_940,
            },
        ),
        TextSource(
            FELTNOTAT,
            "Feltnotat København (SYNTETISK)",
            FELTNOTAT_TEXT,
            user=OLE,
            created=datetime(2026, 3, 5, 14, 0, tzinfo=CET),
            variables={KOMMUNE: "101", SAMTYKKE: False, REGISTRERT: T0, ANDEL: None},
        ),
        TextSource(EMOJI, "Emoji og æøå", EMOJI_TEXT),
    )
    s1 = _span(INTERVJU_TEXT, "færre rapporteringskrav")
    s2 = _span(INTERVJU_TEXT, "Staten styrer fortsatt detaljert")
    s3 = _span(INTERVJU_TEXT, "dilemma for likebehandling")
    s4 = _span(FELTNOTAT_TEXT, "tillid mellem forvaltning og fagforeninger")
    s5 = _span(EMOJI_TEXT, "tillit 𝔗𝔯𝔲𝔰𝔱")
    s6 = _span(EMOJI_TEXT, "æøå")
    s7 = _span(FELTNOTAT_TEXT, "Trepartssamarbejdet")
    selections = (
        Selection(g(40), INTERVJU, *s1, name="færre rapporteringskrav", user=KARI, created=T0),
        Selection(g(41), INTERVJU, *s2, name="Staten styrer", user=OLE, created=T0),
        Selection(
            g(42),
            INTERVJU,
            *s3,
            name="dilemma",
            description="Sitat uten kode",
            user=KARI,
            created=T0,
            modifying_user=OLE,
            modified=T0,
        ),
        Selection(g(44), FELTNOTAT, *s4, name="tillid mellem"),
        Selection(g(43), FELTNOTAT, *s7, name="Trepartssamarbejdet"),
        Selection(g(45), EMOJI, *s5, name="tillit 𝔗𝔯𝔲𝔰𝔱"),
        Selection(g(46), EMOJI, *s6, name="æøå"),
    )
    codings = (
        Coding(g(50), INTERVJU, *s1, TILLIT, KARI, T0, g(40)),
        Coding(g(51), INTERVJU, *s1, HORISONTAL, OLE, T0 + timedelta(hours=1), g(40)),
        Coding(g(52), INTERVJU, *s2, VERTIKAL, OLE, T0, g(41)),
        Coding(g(55), INTERVJU, 0, len(INTERVJU_TEXT), TILLIT, KARI, T0, None),
        Coding(g(53), FELTNOTAT, *s4, HORISONTAL, OLE, T0, g(44)),
        Coding(g(54), FELTNOTAT, *s7, HORISONTAL, KARI, None, g(43)),
        Coding(g(56), EMOJI, *s5, TILLIT, None, None, g(45)),
        Coding(g(57), EMOJI, *s6, LIKEBEHANDLING, KARI, T0, g(46)),
    )
    notes = (
        Note(
            g(60),
            "Prosjektmemo",
            "Memo om hele prosjektet.\nAndre linje med æøå og 🙂.",
            user=KARI,
            created=T0,
            targets=(NoteRef("project", ""),),
        ),
        Note(
            g(61),
            "Om koden Tillit",
            "Brukes bredt.",
            description="kodememo",
            targets=(NoteRef("code", TILLIT), NoteRef("code", VERTIKAL)),
        ),
        Note(
            g(62),
            "Om intervjuet",
            "Intervjuet ble gjort på Teams.",
            targets=(NoteRef("selection", g(42)), NoteRef("source", INTERVJU)),
        ),
        Note(g(63), "Om kodingen", "Usikker.", user=OLE, targets=(NoteRef("coding", g(52)),)),
        Note(g(64), "Memo om memo", "Se prosjektmemoet.", targets=(NoteRef("note", g(60)),)),
    )
    cases = (
        Case(
            g(70),
            "Kommune 4601 (SYNTETISK)",
            description="Case for en syntetisk kommune",
            variables={KOMMUNE: "4601", INNBYGGERE: 291_940, ANDEL: 2.5e-05},
            codes=(TILLIT,),
            sources=(INTERVJU,),
            selections=(g(40), g(42)),
        ),
        Case(g(71), "Fagforening", variables={SAMTYKKE: None}, sources=(FELTNOTAT,)),
    )
    sets = (
        Set(g(80), "Tillitskoder", "Alle tillitskoder", codes=(TILLIT, VERTIKAL, HORISONTAL)),
        Set(g(81), "Blandet", codes=(LIKEBEHANDLING,), sources=(INTERVJU, EMOJI), notes=(g(61),)),
    )
    return QdaProject(
        name="Tillitsreform SYNTETISK",
        origin="tillit 0.1.0",
        created=T0,
        creating_user=KARI,
        modified=T0 + timedelta(days=2),
        modifying_user=OLE,
        description="Et syntetisk prosjekt for testene.",
        users=(User(KARI, "Kari Koder", "kari"), User(OLE, "Ole Koder", "ole")),
        codes=codes,
        variables=variables,
        cases=cases,
        sources=sources,
        selections=selections,
        codings=codings,
        notes=notes,
        sets=sets,
    )
