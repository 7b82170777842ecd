"""The labels exports write themselves, in nb, nn, da and en.

These are data labels in the language of the export (chosen per export, like the question
texts), not user-interface strings, so they live here rather than in the gettext catalogues.
Any other language falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["AAPOR_LABELS", "TEXTS", "aapor_label", "text"]

#: Export labels by key, then language.
TEXTS: Mapping[str, Mapping[str, str]] = {
    "not_reached": {
        "nb": "ikke nådd (delvis svar)",
        "nn": "ikkje nådd (delvis svar)",
        "da": "ikke nået (delvis besvarelse)",
        "en": "not reached (partial response)",
    },
    "dont_know": {"nb": "vet ikke", "nn": "veit ikkje", "da": "ved ikke", "en": "don't know"},
    "not_asked": {
        "nb": "ikke spurt (filter)",
        "nn": "ikkje spurt (filter)",
        "da": "ikke spurgt (filter)",
        "en": "not asked (skip logic)",
    },
    "selected": {"nb": "valgt", "nn": "vald", "da": "valgt", "en": "selected"},
    "not_selected": {
        "nb": "ikke valgt",
        "nn": "ikkje vald",
        "da": "ikke valgt",
        "en": "not selected",
    },
    "other": {"nb": "Annet", "nn": "Anna", "da": "Andet", "en": "Other"},
    "other_specify": {
        "nb": "annet, spesifiser",
        "nn": "anna, spesifiser",
        "da": "andet, angiv",
        "en": "other, specify",
    },
    "rank": {"nb": "rangering", "nn": "rangering", "da": "rangering", "en": "rank"},
    "case_id": {
        "nb": "Respondent-ID (pseudonym)",
        "nn": "Respondent-ID (pseudonym)",
        "da": "Respondent-ID (pseudonym)",
        "en": "Case ID (pseudonymous)",
    },
    "started": {"nb": "Startet", "nn": "Starta", "da": "Startet", "en": "Started"},
    "completed": {"nb": "Fullført", "nn": "Fullført", "da": "Afsluttet", "en": "Completed"},
    "duration_s": {
        "nb": "Svartid (sekunder)",
        "nn": "Svartid (sekund)",
        "da": "Svartid (sekunder)",
        "en": "Duration (seconds)",
    },
    "language": {"nb": "Språk", "nn": "Språk", "da": "Sprog", "en": "Language"},
    "device": {"nb": "Enhetstype", "nn": "Einingstype", "da": "Enhedstype", "en": "Device class"},
    "disposition": {
        "nb": "Endelig utfallskode (AAPOR)",
        "nn": "Endeleg utfallskode (AAPOR)",
        "da": "Endelig udfaldskode (AAPOR)",
        "en": "Final disposition (AAPOR)",
    },
    "country": {"nb": "Land", "nn": "Land", "da": "Land", "en": "Country"},
    "norway": {"nb": "Norge", "nn": "Noreg", "da": "Norge", "en": "Norway"},
    "denmark": {"nb": "Danmark", "nn": "Danmark", "da": "Danmark", "en": "Denmark"},
    "municipality_code": {
        "nb": "Kommunenummer",
        "nn": "Kommunenummer",
        "da": "Kommunekode",
        "en": "Municipality code",
    },
}

#: AAPOR final disposition codes (Standard Definitions, web surveys of named persons): the
#: label of a code is that of its longest known prefix, so ``2.111`` reads "refusal".
AAPOR_LABELS: Mapping[str, Mapping[str, str]] = {
    "1": {"nb": "intervju", "nn": "intervju", "da": "interview", "en": "interview"},
    "1.1": {"nb": "fullført", "nn": "fullført", "da": "gennemført", "en": "complete"},
    "1.2": {"nb": "delvis besvart", "nn": "delvis svara", "da": "delvis besvaret", "en": "partial"},
    "2": {
        "nb": "i målgruppen, ikke svart",
        "nn": "i målgruppa, ikkje svara",
        "da": "i målgruppen, ikke besvaret",
        "en": "eligible, non-interview",
    },
    "2.1": {
        "nb": "nektet eller avbrutt",
        "nn": "nekta eller avbrote",
        "da": "nægtet eller afbrudt",
        "en": "refusal and break-off",
    },
    "2.11": {"nb": "nektet", "nn": "nekta", "da": "nægtet", "en": "refusal"},
    "2.12": {"nb": "avbrutt", "nn": "avbrote", "da": "afbrudt", "en": "break-off"},
    "2.2": {"nb": "ikke kontakt", "nn": "ikkje kontakt", "da": "ikke kontakt", "en": "non-contact"},
    "2.3": {
        "nb": "annet frafall",
        "nn": "anna fråfall",
        "da": "andet frafald",
        "en": "other non-response",
    },
    "3": {
        "nb": "ukjent om i målgruppen",
        "nn": "ukjent om i målgruppa",
        "da": "ukendt om i målgruppen",
        "en": "unknown eligibility",
    },
    "3.1": {
        "nb": "ukjent om i målgruppen, ikke invitert",
        "nn": "ukjent om i målgruppa, ikkje invitert",
        "da": "ukendt om i målgruppen, ikke inviteret",
        "en": "unknown eligibility, not invited",
    },
    "3.19": {
        "nb": "ukjent om i målgruppen, invitasjonen kom ikke fram",
        "nn": "ukjent om i målgruppa, invitasjonen kom ikkje fram",
        "da": "ukendt om i målgruppen, invitationen kunne ikke leveres",
        "en": "unknown eligibility, invitation undeliverable",
    },
    "4": {
        "nb": "ikke i målgruppen",
        "nn": "ikkje i målgruppa",
        "da": "ikke i målgruppen",
        "en": "not eligible",
    },
}


def text(key: str, language: str) -> str:
    """The export label ``key`` in ``language`` (English when the language is not covered).

    Examples
    --------
    >>> text("dont_know", "nn"), text("dont_know", "sv")
    ('veit ikkje', "don't know")
    """
    labels = TEXTS[key]
    return labels.get(language, labels["en"])


def aapor_label(code: str, language: str) -> str:
    """``"<code> <label>"`` for an AAPOR disposition code, from its longest known prefix.

    Trailing zeros after the first decimal do not change the class (``2.10`` is ``2.1``).

    Examples
    --------
    >>> aapor_label("1.1", "nb"), aapor_label("2.111", "en"), aapor_label("2.20", "da")
    ('1.1 fullført', '2.111 refusal', '2.20 ikke kontakt')
    """
    major, _, minor = code.partition(".")
    minor = minor.rstrip("0")
    for length in range(len(minor), -1, -1):
        key = f"{major}.{minor[:length]}" if length else major
        if key in AAPOR_LABELS:
            labels = AAPOR_LABELS[key]
            return f"{code} {labels.get(language, labels['en'])}"
    return code
