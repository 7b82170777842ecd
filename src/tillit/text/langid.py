"""Language identification for passages: bokmål, nynorsk, Danish, Swedish, English.

py3langid (a naive Bayes model over byte n-grams, shipped in its wheel) is good at telling the
Scandinavian languages from English and Swedish from the rest, but on short texts it mixes up
bokmål (its label ``no``), nynorsk (``nn``) and Danish, which share most of their vocabulary.
:func:`identify` therefore adds a second opinion: marker words whose spelling differs between
the three written standards, e.g.

=========  =========  =========  ==========
meaning    bokmål     nynorsk    Danish
=========  =========  =========  ==========
not        ikke       ikkje      ikke
what       hva        kva        hvad
of         av         av         af
from       fra        frå        fra
between    mellom     mellom     mellem
only       bare       berre      kun
much       mye        mykje      meget
something  noe        noko       noget
themselves seg        seg        sig
services   tjenester  tenester   ydelser
=========  =========  =========  ==========

How the score is made:

1. text with fewer than :data:`MIN_WORDS` words or :data:`MIN_LETTERS` letters is ``"und"``;
2. py3langid, restricted to ``no, nn, da, sv, en, de`` and run on at most :data:`MAX_CHARS`
   characters (enough for a stable answer, and it keeps screening fast), gives probabilities
   ``p``; ``no`` is read as ``nb``;
3. every word of the whole text that is a marker (or, failing that, has a marker ending such
   as nn ``-heit``, nb ``-het``, da ``-hed``, nb/nn ``-sjon`` against da ``-tion``, nn
   ``-leg`` against nb/da ``-lig``) adds :data:`MARKER_WEIGHT` to the log-score of
   each language it belongs to (a word can mark two languages, e.g. ``ikke`` marks nb and da);
   each distinct marker counts at most :data:`MAX_REPEATS` times, so one repeated word cannot
   outvote the rest;
4. the log-scores ``log p + markers`` are turned back into probabilities (softmax); the best
   language wins. German (the only other language the model is asked about) gives ``"und"``.

``confidence`` is the winning probability; ``scores`` holds the probability of each of the five
languages.

Accuracy on the committed evaluation set (``tests/text/data/langid_eval.csv``: our own
municipal-style passages, nb 40, nn 38, da 38, sv 12, en 12 of 20+ words, and 10 short
sentences each for nb, nn, da; asserted in ``tests/text/test_langid.py``):

=============================  ====  =====  ====  ====  ====
set                            nb    nn     da    sv    en
=============================  ====  =====  ====  ====  ====
passages of 20+ words          1.00  1.00   1.00  1.00  1.00
  py3langid alone              .975  1.00   1.00  1.00  1.00
short sentences (5-9 words)    1.00  1.00   1.00
  py3langid alone              1.00  0.80   1.00
passages cut to 8 words        .975  .895   1.00  1.00  1.00
  py3langid alone              .925  .842   1.00  1.00  1.00
=============================  ====  =====  ====  ====  ====

Examples
--------
>>> identify("Eg veit ikkje kva kommunestyret meiner om tillitsreforma.").lang
'nn'
>>> identify("Kommunalbestyrelsen har vedtaget en tillidsreform for hele kommunen.").lang
'da'
>>> identify("ok").lang
'und'
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LANGUAGES",
    "MARKERS",
    "LanguageGuess",
    "identify",
]

#: The languages :func:`identify` can return (besides ``"und"``).
LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "sv", "en")
#: Fewer words than this (or fewer letters than :data:`MIN_LETTERS`) give ``"und"``.
MIN_WORDS = 3
MIN_LETTERS = 12
#: py3langid reads at most this many characters of a text (markers read all of it).
MAX_CHARS = 300
#: Log-score added per marker word, and how often one distinct marker may count.
MARKER_WEIGHT = 1.2
MAX_REPEATS = 3

_MODEL_LANGS = ("no", "nn", "da", "sv", "en", "de")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _parse_markers(table: str) -> dict[str, tuple[str, ...]]:
    """``"nb nn: av mellom"`` lines -> ``{"av": ("nb", "nn"), ...}``."""
    marked: dict[str, tuple[str, ...]] = {}
    for line in table.strip().splitlines():
        langs, _, words = line.partition(":")
        for word in words.split():
            marked[word] = tuple(dict.fromkeys((*marked.get(word, ()), *langs.split())))
    return marked


# Marker words (lower case): spellings that one or two of the standards use and the others do
# not. Frequent function words first, then the municipal vocabulary the corpus is about. A
# word shared by nb, nn and da is never a marker. One line per group; a word may sit on
# several lines.
_MARKER_TABLE = """
nn: ikkje eg kva korleis kvifor kven kvar kvart kvarandre dei deira frå berre mykje noko
nn: nokon nokre vere vore vart vert ein eit eitt meir fleire dessutan òg difor sidan medan
nn: utan innanfor utanfor hjå saman heile heilt sjølv sjølve høve dømes gje gjev gjeve gjer
nn: gjere fekk seie seier ho kjem kome tilsette tenester tenesta tenestene teneste leiar
nn: leiarar leiarane leiinga leiing innbyggjarar innbyggjarane innbyggjar brukarane
nn: brukarar arbeidsgjevar arbeidstakarar saka utvalet eininga einingane einingar eiga eige
nn: eigne eigen ynskjer ønskjer ønskje ynskje høyring tilrådinga tilråding tilrår mogleg
nn: moglegheit moglegheiter tidlegare seinare tydeleg tydelegare arbeida kvardagen dagleg
nn: naudsynt meiner veit syner bruka nytta vedteke skule skular føreslår føreslått føremål
nn: føremålet føresetnad føresetnader fridom tilskot avgjerd avgjerder
nb: jeg hva hvordan hvorfor hvem hver hvert hverandre fra bare mye noe noen være
nb: vært ble blir bli mer flere dessuten også derfor siden mens uten innenfor utenfor
nb: sammen hele helt selv selve gi gir gitt gjør gjøre fikk si sier hun kommer komme
nb: ansatte tjenester tjenesten tjenestene tjeneste ledere lederne innbyggere innbyggerne
nb: innbygger brukerne brukere arbeidsgiver arbeidstakere saken utvalget enheten enhetene
nb: enheter egen eget egne ønsker høring innstillingen anbefaler mulig mulighet muligheter
nb: tidligere senere tydelig tydeligere hverdagen daglig nødvendig vedtatt
nb: mener vet viser brukt benyttet nå
nb nn: av mellom gjennom etter ut inn opp mot seg meg deg oss viktig samarbeid arbeid
nb nn: arbeidet spørsmål måte møte møter budsjett kontroll tillit tillitsreform
nb nn: tillitsreformen tillitsreforma tillitsbasert helse eldre uke oppgaver innsats
nb nn: avdeling blant kommunedirektøren kommunedirektør rådmannen kommunestyret
nb nn: bystyret formannskapet rapportering sak vedtak utvikling
nb da: ikke de deres en et mest hos eksempel fått sa sagt henne kom leder ledelsen ledelse
nb da: forslaget ønske mulig tidligere senere tydelig kvalitet lokalt skulle jeg hvordan
nb da: hvorfor hvem hver hvert være blev flere derfor siden mens selv selve hun kommer
nb da: komme egen eget egne ønsker daglig også hverdagen mener viser
da: hvad af mellem gennem efter ud ind op mod sig mig dig nu vigtig vigtigt samarbejde
da: arbejde arbejdet spørgsmål måde møde møder budget kontrol tillid tillidsreform
da: tillidsreformen tillidsbaseret sundhed ældre uge opgaver indsats afdeling blandt
da: kommunalbestyrelsen byrådet regionen velfærd borgernes fagprofessionelle faglighed
da: dokumentation dokumentationskrav kun meget noget nogen nogle været bliver blive mere
da: desuden uden indenfor udenfor hinanden give giver givet gør gøre fik sige siger
da: sagde hende medarbejdere medarbejderne medarbejder borgere borgerne borger brugerne
da: brugere kommunaldirektøren kommunaldirektør sagen beslutningen udvalget enheden
da: enhederne høringen indstillingen anbefaler mulighed muligheder forskellige
da: nødvendigt vedtaget vedtog viser brugt
da: udvikling udvikle ændringer ændring særligt heller sådan sådanne hvilket
sv: inte och att är för jag vad hur varför vem varje varandra från bara mycket något
sv: någon några vara varit blev blir bli mer mest flera dessutom också därför sedan
sv: medan utan inom utom hos tillsammans hela helt själv exempel ge ger gett gör göra
sv: gjort fick fått säga säger sade hon henne kommer komma kom medarbetare
sv: medarbetarna chefer cheferna ledningen ledning invånare invånarna brukarna
sv: arbetsgivare kommundirektören kommunstyrelsen kommunfullmäktige ärendet beslutet
sv: nämnden enheten egen eget egna önskar förslaget möjlig möjlighet olika tidigare
sv: senare tydlig kvalitet lokalt skulle arbetet vardagen dagligen nödvändigt mellan
sv: genom efter utveckling utveckla av ut in upp mot sig mig dig nu viktig viktigt
sv: samarbete frågor sätt möte möten budget kontroll tillit tillitsreform
sv: tillitsbaserad styrning hälsa äldre vecka tar uppgifter insats avdelning bland
sv: förtroende välfärd verksamheten verksamhet detta dessa finns ska
en: the and of is are was were been to with that this these those on by from
en: not it its have has had will would should can could which who what how why
en: municipality municipal council trust reform services employees staff managers
en: citizens reporting requirements administration we our their they
"""
_PARSED = _parse_markers(_MARKER_TABLE)
#: Marker words per language (lower case); see the module docstring.
MARKERS: dict[str, frozenset[str]] = {
    lang: frozenset(w for w, langs in _PARSED.items() if lang in langs)
    for lang in ("nb", "nn", "da", "sv", "en")
}
# Endings that differ between the standards, for words that are not markers themselves:
# (ending, minimum word length, languages). The first ending that fits counts.
_SUFFIXES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("heita", 6, ("nn",)),
    ("heit", 6, ("nn",)),
    ("heiter", 7, ("nn",)),
    ("heten", 6, ("nb", "sv")),
    ("heter", 6, ("nb", "sv")),
    ("het", 5, ("nb", "sv")),
    ("heden", 6, ("da",)),
    ("heder", 6, ("da",)),
    ("hed", 5, ("da",)),
    ("ikk", 5, ("nb", "nn")),
    ("sjonen", 7, ("nb", "nn")),
    ("sjoner", 7, ("nb", "nn")),
    ("sjon", 6, ("nb", "nn")),
    ("tionen", 7, ("da", "sv")),
    ("tioner", 7, ("da", "sv")),
    ("tion", 6, ("da", "sv", "en")),
    ("ligt", 6, ("da",)),
    ("lig", 5, ("nb", "da")),
    ("lige", 6, ("nb", "da")),
    ("legt", 6, ("nn",)),
    ("leg", 6, ("nn",)),
    ("legare", 8, ("nn",)),
    ("arane", 7, ("nn",)),
    ("arar", 6, ("nn",)),
    ("inga", 6, ("nn",)),
    ("ane", 6, ("nn",)),
)
_SUFFIXES_BY_LAST: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {}
for _suffix in _SUFFIXES:
    _SUFFIXES_BY_LAST.setdefault(_suffix[0][-1], []).append(_suffix)
# A word marking nb, nn and da at once tells nothing apart: drop it.
_MARKER_LANGS = {w: ls for w, ls in _PARSED.items() if not {"nb", "nn", "da"} <= set(ls)}


@dataclass(frozen=True)
class LanguageGuess:
    """The language of a text: ``lang`` with its probability and every language's score."""

    lang: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)


_identifier: Any = None
_lock = threading.Lock()


def _model() -> Any:
    """py3langid restricted to the model languages, loaded once per process."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(_MODEL_LANGS))
                _identifier = identifier
    return _identifier


def marker_counts(text: str) -> dict[str, int]:
    """How many marker words of each language ``text`` holds (each distinct word capped).

    >>> marker_counts("Eg veit ikkje kva dei meiner")["nn"]
    6
    """
    return _count(_WORD.findall(text.lower()))


def _count(words: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(MARKERS, 0)
    for word, n in Counter(words).items():
        for lang in _MARKER_LANGS.get(word) or _suffix_langs(word):
            counts[lang] += min(n, MAX_REPEATS)
    return counts


@functools.lru_cache(maxsize=1 << 16)
def _suffix_langs(word: str) -> tuple[str, ...]:
    """The languages a word's ending marks (cached: words repeat, endings are checked once)."""
    if word in _PARSED:
        return ()
    for ending, min_length, langs in _SUFFIXES_BY_LAST.get(word[-1:], ()):
        if len(word) >= min_length and word.endswith(ending):
            return langs
    return ()


def identify(text: str) -> LanguageGuess:
    """Identify the language of ``text`` (nb, nn, da, sv, en; ``"und"`` if unsure).

    Parameters
    ----------
    text : str
        A passage or a document, normalised or not.

    Returns
    -------
    LanguageGuess
        ``lang`` is one of :data:`LANGUAGES` or ``"und"`` (too little text, or another
        language); ``confidence`` its probability; ``scores`` the probability of each of
        :data:`LANGUAGES` (empty for too little text).
    """
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS or sum(map(len, words)) < MIN_LETTERS:
        return LanguageGuess("und", 0.0, {})
    ranked = dict(_model().rank(text[:MAX_CHARS]))
    markers = _count(words)
    logits: dict[str, float] = {}
    for lang in (*LANGUAGES, "de"):
        probability = float(ranked.get("no" if lang == "nb" else lang, 0.0))
        logits[lang] = math.log(max(probability, 1e-12)) + MARKER_WEIGHT * markers.get(lang, 0)
    top = max(logits.values())
    exps = {lang: math.exp(v - top) for lang, v in logits.items()}
    total = sum(exps.values())
    probabilities = {lang: exps[lang] / total for lang in logits}
    best = max(probabilities, key=lambda lang: probabilities[lang])
    scores = {lang: probabilities[lang] for lang in LANGUAGES}
    if best == "de":
        return LanguageGuess("und", probabilities["de"], scores)
    return LanguageGuess(best, probabilities[best], scores)
