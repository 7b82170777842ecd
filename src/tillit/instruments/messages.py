"""Default validation messages for respondents, in Bokmål, Nynorsk, Danish and English.

A form's own ``required_message`` and ``constraint_message`` take precedence; these are used when
the form gives none, and for checks the form cannot word (a number that is not a number).

Examples
--------
>>> message("required", "nn")
'Dette spørsmålet må svarast på.'
>>> message("too_long", "da", limit=100)
'Svaret er for langt (højst 100 tegn).'
"""

from __future__ import annotations

from collections.abc import Mapping

#: Languages the default messages are written in.
MESSAGE_LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "en")

#: message key -> language -> text (``{limit}`` is filled in where it appears).
MESSAGES: Mapping[str, Mapping[str, str]] = {
    "required": {
        "nb": "Dette spørsmålet må besvares.",
        "nn": "Dette spørsmålet må svarast på.",
        "da": "Dette spørgsmål skal besvares.",
        "en": "This question must be answered.",
    },
    "integer": {
        "nb": "Skriv et helt tall, for eksempel 12.",
        "nn": "Skriv eit heilt tal, til dømes 12.",
        "da": "Skriv et helt tal, for eksempel 12.",
        "en": "Enter a whole number, for example 12.",
    },
    "decimal": {
        "nb": "Skriv et tall, for eksempel 3,5.",
        "nn": "Skriv eit tal, til dømes 3,5.",
        "da": "Skriv et tal, for eksempel 3,5.",
        "en": "Enter a number, for example 3.5.",
    },
    "date": {
        "nb": "Skriv en gyldig dato, for eksempel 31.12.2024.",
        "nn": "Skriv ein gyldig dato, til dømes 31.12.2024.",
        "da": "Skriv en gyldig dato, for eksempel 31.12.2024.",
        "en": "Enter a valid date, for example 2024-12-31.",
    },
    "constraint": {
        "nb": "Svaret oppfyller ikke kravene til dette spørsmålet.",
        "nn": "Svaret oppfyller ikkje krava til dette spørsmålet.",
        "da": "Svaret opfylder ikke kravene til dette spørgsmål.",
        "en": "The answer does not meet the requirements of this question.",
    },
    "choice": {
        "nb": "Velg blant svaralternativene som vises.",
        "nn": "Vel blant svaralternativa som blir viste.",
        "da": "Vælg blandt de viste svarmuligheder.",
        "en": "Choose from the options shown.",
    },
    "other": {
        "nb": "Skriv hva «Annet» gjelder.",
        "nn": "Skriv kva «Anna» gjeld.",
        "da": "Uddyb venligst, hvad »Andet« dækker.",
        "en": "Please say what “Other” is.",
    },
    "rank": {
        "nb": "Ranger alle alternativene, hvert alternativ én gang.",
        "nn": "Ranger alle alternativa, kvart alternativ éin gong.",
        "da": "Rangér alle svarmulighederne, hver mulighed én gang.",
        "en": "Rank all the options, each option once.",
    },
    "too_long": {
        "nb": "Svaret er for langt (høyst {limit} tegn).",
        "nn": "Svaret er for langt (høgst {limit} teikn).",
        "da": "Svaret er for langt (højst {limit} tegn).",
        "en": "The answer is too long (at most {limit} characters).",
    },
}

#: Label of the choice that ``or_other`` adds.
OTHER_LABELS: Mapping[str, str] = {"nb": "Annet", "nn": "Anna", "da": "Andet", "en": "Other"}

_FALLBACK: Mapping[str, tuple[str, ...]] = {
    "nb": ("nb",),
    "nn": ("nn", "nb"),
    "da": ("da",),
    "sv": ("da", "nb"),
    "no": ("nb",),
}


def message(key: str, language: str, **params: object) -> str:
    """A default message in `language` (Swedish falls back to Danish, other languages to
    English).

    Parameters
    ----------
    key : str
        One of the keys of :data:`MESSAGES`.
    language : str
        Language code such as ``"nb"``.
    **params
        Values for placeholders such as ``{limit}``.
    """
    texts = MESSAGES[key]
    for code in (*_FALLBACK.get(language, (language,)), "en"):
        if code in texts:
            return texts[code].format(**params) if params else texts[code]
    return texts["en"]
