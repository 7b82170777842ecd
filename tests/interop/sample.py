"""A small instrument and five cases that exercise every export rule (shared by the tests and
the R reference script)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillit.instruments.model import Choice, ChoiceList, Group, Instrument, Question

UTC = dt.UTC


def _c(name: str, nb: str, en: str, *concepts: str) -> Choice:
    return Choice(name, {"nb": nb, "en": en}, tuple(concepts))


def instrument() -> Instrument:
    lists = {
        "agree5": ChoiceList(
            "agree5",
            (
                _c("1", "Helt uenig", "Strongly disagree"),
                _c("2", "Litt uenig", "Disagree"),
                _c("3", "Både og", "Neither"),
                _c("4", "Litt enig", "Agree"),
                _c("5", "Helt enig", "Strongly agree"),
                _c("dk", "Vet ikke", "Don't know"),
            ),
        ),
        "yesno": ChoiceList("yesno", (_c("ja", "Ja", "Yes"), _c("nei", "Nei", "No"))),
        "measures": ChoiceList(
            "measures",
            (
                _c("tillitsmodell", "Tillitsmodell", "Trust model", "reform.model"),
                _c("færre_rapporter", "Færre rapporter", "Fewer reports", "reform.reporting"),
                _c("dk", "Vet ikke", "Don't know"),
            ),
        ),
        "sectors": ChoiceList(
            "sectors",
            (
                _c("helse", "Helse og omsorg", "Health and care"),
                _c("skole", "Skole", "Schools"),
                _c("teknisk", "Tekniske tjenester", "Technical services"),
            ),
        ),
    }
    children = (
        Group(
            "side1",
            {"nb": "Om styring", "en": "About governance"},
            children=(
                Question(
                    "styring",
                    "select_one",
                    {
                        "nb": "Tillitsbasert styring gir bedre tjenester for innbyggerne",
                        "en": "Trust-based governance gives citizens better services",
                    },
                    list_name="agree5",
                    concepts=("trust.effects",),
                ),
                Question(
                    "reform",
                    "select_one",
                    {"nb": "Har kommunen innført en tillitsreform?", "en": "Has a reform begun?"},
                    list_name="yesno",
                    concepts=("reform.adoption",),
                ),
            ),
        ),
        Group(
            "reformblokk",
            {"nb": "Reformen", "en": "The reform"},
            relevant="${reform} = 'ja'",
            children=(
                Question("aar", "integer", {"nb": "Hvilket år startet reformen?", "en": "Year?"}),
                Question(
                    "tiltak",
                    "select_multiple",
                    {"nb": "Hvilke tiltak omfatter reformen?", "en": "Which measures?"},
                    list_name="measures",
                    or_other=True,
                    concepts=("reform.measures",),
                ),
                Question(
                    "dato",
                    "date",
                    {"nb": "Når vedtok kommunestyret reformen?", "en": "When adopted?"},
                ),
            ),
        ),
        Group(
            "side3",
            {"nb": "Til slutt", "en": "Finally"},
            children=(
                Question(
                    "rangering",
                    "rank",
                    {"nb": "Ranger sektorene etter tillit", "en": "Rank the sectors by trust"},
                    list_name="sectors",
                ),
                Question("in", "integer", {"nb": "Antall ansatte", "en": "Employees"}),
                Question("kommentar", "text", {"nb": "Kommentar", "en": "Comment"}),
                Question("poeng", "calculate", calculation="${styring} * 2"),
                Question("takk", "note", {"nb": "Takk for svarene!", "en": "Thank you!"}),
            ),
        ),
    )
    return Instrument(
        form_id="tbg_test",
        title="Tillitsbasert styring (test)",
        version="2025-1",
        default_language="nb",
        languages=("nb", "en"),
        children=children,
        choice_lists=lists,
    )


def _paradata(minutes: int, device: str) -> dict[str, Any]:
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    return {
        "started": start,
        "completed": start + dt.timedelta(minutes=minutes),
        "language": "nb",
        "device": device,
    }


def responses() -> list[dict[str, Any]]:
    return [
        {  # complete, every item answered, "other" chosen with a text
            "case_id": "c001",
            "status": "complete",
            "disposition": "1.1",
            "answers": {
                "styring": "4",
                "reform": "ja",
                "aar": 2019,
                "tiltak": "tillitsmodell other",
                "tiltak_other": "Færre skjema å fylle ut",
                "dato": "2019-06-20",
                "rangering": "skole helse teknisk",
                "in": 1250,
                "kommentar": "Bra, men «krevende»",
                "poeng": "8",
            },
            "frame": {"country": "NO", "municipality_code": "0301"},
            "paradata": _paradata(12, "desktop"),
        },
        {  # complete, "don't know", no reform: the reform block is skipped (inferred)
            "case_id": "c002",
            "status": "complete",
            "disposition": "1.1",
            "answers": {"styring": "dk", "reform": "nei", "in": 40, "poeng": ""},
            "frame": {"country": "DK", "municipality_code": "0101"},
            "paradata": _paradata(5, "phone"),
        },
        {  # partial: stopped after "aar"; the rest was not reached
            "case_id": "c003",
            "status": "partial",
            "disposition": "1.2",
            "answers": {"styring": "2", "reform": "ja", "aar": 2021},
            "frame": {"country": "NO", "municipality_code": "4601"},
            "paradata": {**_paradata(3, "tablet"), "completed": None},
        },
        {  # refusal: nothing answered
            "case_id": "c004",
            "status": "refusal",
            "disposition": "2.11",
            "answers": {},
            "frame": {"country": "DK", "municipality_code": "0147"},
            "paradata": {},
        },
        {  # complete with explicit relevance: "don't know" in select_multiple, "aar" left empty
            "case_id": "c005",
            "status": "complete",
            "answers": {
                "styring": 5,
                "reform": "ja",
                "tiltak": ["dk"],
                "rangering": ["teknisk"],
                "in": 7,
                "poeng": 10,
            },
            "relevant": {
                "styring",
                "reform",
                "aar",
                "tiltak",
                "dato",
                "rangering",
                "in",
                "kommentar",
                "poeng",
            },
            "frame": {"country": "NO", "municipality_code": "1804"},
            "paradata": {**_paradata(8, "phone"), "duration_s": 470.5},
        },
    ]
