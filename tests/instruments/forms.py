"""Forms for the instrument tests: the pyxform examples and an instrument with every feature."""

from __future__ import annotations

import functools
from pathlib import Path

from tillit.instruments.model import Choice, ChoiceList, Group, Instrument, Question

EXAMPLES = Path("/work/shared/specs/xlsform-examples")
if not EXAMPLES.exists():  # the shared specs sit next to the repository
    EXAMPLES = Path(__file__).resolve().parents[3] / "shared/specs/xlsform-examples"
VALID = sorted(p for p in (EXAMPLES / "valid").iterdir() if p.suffix in (".xlsx", ".xls", ".md"))
INVALID = sorted(p for p in (EXAMPLES / "invalid").iterdir())

NAMES = {
    "nb": "Norsk bokmål (nb)",
    "nn": "Norsk nynorsk (nn)",
    "da": "Dansk (da)",
    "en": "English (en)",
}


def md(text: str) -> bytes:
    """A pyxform markdown form as bytes, for read_xlsform(..., filename="x.md")."""
    return text.strip().encode("utf-8")


def lang(nb: str, nn: str | None = None, da: str | None = None, en: str | None = None) -> dict:
    return {"nb": nb, "nn": nn or nb, "da": da or nb, "en": en or nb}


def every_feature() -> Instrument:
    """An instrument using every part of the model, in four languages."""
    yes_no = ChoiceList(
        "yes_no",
        (
            Choice("yes", lang("Ja", "Ja", "Ja", "Yes"), concepts=("measure.reform_decision",)),
            Choice("no", lang("Nei", "Nei", "Nej", "No")),
        ),
    )
    sectors = ChoiceList(
        "sectors",
        (
            Choice("school", lang("Skole", "Skule", "Skole", "School"), extra={"area": "edu"}),
            Choice("care", lang("Omsorg", "Omsorg", "Omsorg", "Care"), extra={"area": "health"}),
            Choice("health", lang("Helse", "Helse", "Sundhed", "Health"), extra={"area": "health"}),
        ),
    )
    areas = ChoiceList(
        "areas",
        (
            Choice("edu", lang("Oppvekst", "Oppvekst", "Børn og unge", "Education")),
            Choice("health", lang("Helse", "Helse", "Sundhed", "Health")),
        ),
    )
    trust = ChoiceList(
        "trust",
        tuple(Choice(str(i), lang(f"{i}")) for i in range(1, 6)),
    )
    reform = Group(
        "reform",
        lang("Reform", "Reform", "Reform", "Reform"),
        relevant="${has_reform} = 'yes'",
        children=(
            Question(
                "since",
                "integer",
                lang("Fra hvilket år?", "Frå kva år?", "Fra hvilket år?", "Since which year?"),
                hints=lang("Skriv årstallet", "Skriv årstalet", "Skriv årstallet", "The year"),
                required="yes",
                required_messages=lang("Oppgi år", "Oppgi år", "Angiv år", "Give the year"),
                constraint=". >= 2000 and . <= 2030",
                constraint_messages=lang("Mellom 2000 og 2030", en="Between 2000 and 2030"),
                concepts=("measure.reform_decision",),
            ),
            Question("area", "select_one", lang("Område"), list_name="areas"),
            Question(
                "sectors",
                "select_multiple",
                lang("Sektorer"),
                list_name="sectors",
                or_other=True,
                choice_filter="area = ${area}",
                appearance="minimal",
                randomize=True,
            ),
            Question("share", "decimal", lang("Andel"), constraint=". >= 0 and . <= 1"),
            Question("start", "date", lang("Startdato"), default="2020-01-01"),
            Question("years", "calculate", calculation="2024 - ${since}"),
            Group(
                "grid",
                lang("Tillit"),
                appearance="field-list",
                children=(
                    Question("trust_pol", "select_one", lang("Politikere"), list_name="trust"),
                    Question("trust_adm", "select_one", lang("Administrasjon"), list_name="trust"),
                ),
            ),
            Question("priorities", "rank", lang("Ranger"), list_name="yes_no"),
            Question("why", "text", lang("Hvorfor?"), required="${years} > 2"),
        ),
        concepts=("measure",),
    )
    return Instrument(
        form_id="every_feature",
        title="Every feature",
        version="2024.1",
        default_language="nb",
        languages=("nb", "nn", "da", "en"),
        children=(
            Question("intro", "note", lang("=Velkommen (not a formula)", en="Welcome")),
            Question(
                "has_reform",
                "select_one",
                lang("Har kommunen en tillitsreform?"),
                list_name="yes_no",
                required="yes",
            ),
            reform,
            Group("end", lang("Takk"), children=(Question("comment", "text", lang("Kommentar")),)),
        ),
        choice_lists={c.name: c for c in (yes_no, sectors, areas, trust)},
        language_names=NAMES,
        settings={"allow_choice_duplicates": "no"},
    )


@functools.cache
def example(name: str) -> Instrument:
    """A valid pyxform example, read once per test run (instruments are immutable)."""
    from tillit.instruments import read_xlsform

    return read_xlsform(EXAMPLES / "valid" / name)
