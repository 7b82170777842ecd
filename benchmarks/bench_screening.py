"""Screening plain text into scored passages, against the raw scan and a regex, in one run.

The corpus: municipal-style documents in nb, nn and da (about 4 MB of UTF-8 text; quick: 1 MB),
each made of shuffled paragraphs of ordinary council prose (our own filler sentences, with
varying numbers) and, one paragraph in six, a passage from the committed evaluation set
(``tillit/data/evaluation/passages.csv``), so that matches, negatives and hyphenated lists occur
at a realistic rate. The same documents go through every contender:

* ``screening.end_to_end``: :func:`tillit.text.screen.screen_text` with its defaults
  (passages, language of the matched passages and of a sample for the document, lexicon
  matching, scores). Peer: a plain Python ``re`` alternation of the same lexicon (what a user
  would write), ``finditer`` over each document, ``re.IGNORECASE``; the faster of two ways to
  write it: every surface form in ``\\b(?:…)\\b``, or the base terms followed by ``\\w*``.
  The regexes are timed on the first 0.2 MB (quick: 0.05 MB). MB/s of UTF-8 text, one core.
* ``screening.end_to_end_doc_lang``: ``passage_langs="document"`` (one language call per
  document). Same peer.
* ``screening.end_to_end_all_langs``: ``passage_langs="all"`` (every passage gets its own
  language identification). Same peer.
* ``screening.aho_corasick_raw``: the bare pyahocorasick scan of the lower-cased documents
  (no boundaries, no passages, no language id): the ceiling. Same peer.
* ``screening.vs_ceiling``: end to end against the raw scan (the ratio is the share of the
  ceiling that the full pipeline reaches).
* ``screening.quality.<concept>``: F1 on the evaluation set, lexicon + classifier
  (cross-validated, grouped by parallel passage, union of lexicon and classifier) against the
  lexicon alone; precision and recall of both are in the entry.

Rates are the best of several repeats, in CPU time of the (single-threaded) process, so they
are per core and not distorted by other load on the machine.
"""

from __future__ import annotations

import csv
import random
import re
import time
import warnings
from collections.abc import Callable
from importlib import resources
from typing import Any

from tillit.text.classify import ScreeningWarning, cross_validate, evaluate_lexicon
from tillit.text.lexicon import Term
from tillit.text.matcher import search_text
from tillit.text.screen import default_matcher, screen_text

FILLER = {
    "nb": [
        "Kommunestyret behandlet økonomiplanen for {y}–{z} og vedtok forslaget med {n} stemmer.",
        "Det ble orientert om vedlikehold av {n} kommunale bygg, blant annet skolen i sentrum.",
        "Formannskapet ba administrasjonen komme tilbake med en sak om gatelys innen {m}.",
        "Driftsresultatet for helse og omsorg viser et mindreforbruk på {n} millioner kroner.",
        "Referatsaker ble tatt til orientering. Møtet ble hevet klokken {h}.{n}.",
        "Søknaden om dispensasjon fra reguleringsplanen for boligfeltet ble innvilget.",
        "Rådmannen legger fram forslag til revidert budsjett med endringer i investeringene.",
        "Arbeidet med ny kommuneplan fortsetter, og høringsfristen er satt til {m}.",
        "Barnehagedekningen er god, og ventelisten er redusert til {n} barn.",
        "Vann- og avløpsgebyrene økes med {n} prosent fra årsskiftet.",
    ],
    "nn": [
        "Kommunestyret handsama økonomiplanen for {y}–{z} og vedtok framlegget med {n} røyster.",
        "Det vart orientert om vedlikehald av {n} kommunale bygg, mellom anna skulen i sentrum.",
        "Formannskapet bad administrasjonen kome tilbake med ei sak om gatelys innan {m}.",
        "Driftsresultatet for helse og omsorg syner eit mindreforbruk på {n} millionar kroner.",
        "Referatsakene vart tekne til vitande. Møtet vart heva klokka {h}.{n}.",
        "Søknaden om dispensasjon frå reguleringsplanen for bustadfeltet vart innvilga.",
        "Kommunedirektøren legg fram framlegg til revidert budsjett med endringar i investeringar.",
        "Arbeidet med ny kommuneplan held fram, og høyringsfristen er sett til {m}.",
        "Barnehagedekninga er god, og ventelista er redusert til {n} born.",
        "Vass- og avløpsgebyra aukar med {n} prosent frå årsskiftet.",
    ],
    "da": [
        "Kommunalbestyrelsen behandlede budgettet for {y}–{z} og vedtog forslaget med {n} stemmer.",
        "Der blev orienteret om vedligeholdelse af {n} kommunale bygninger, bl.a. skolen i byen.",
        "Økonomiudvalget bad forvaltningen vende tilbage med en sag om gadebelysning inden {m}.",
        "Driftsresultatet på ældreområdet viser et mindreforbrug på {n} mio. kr.",
        "Meddelelserne blev taget til efterretning. Mødet blev hævet kl. {h}.{n}.",
        "Ansøgningen om dispensation fra lokalplanen for boligområdet blev imødekommet.",
        "Direktionen fremlægger forslag til budgetopfølgning med ændringer i anlægsbudgettet.",
        "Arbejdet med ny kommuneplan fortsætter, og høringsfristen er fastsat til {m}.",
        "Pasningsgarantien er overholdt, og ventelisten er nedbragt til {n} børn.",
        "Vand- og spildevandstaksterne stiger med {n} procent fra årsskiftet.",
    ],
}
MODES = ("matched", "document", "all")
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "september", "oktober"]


def _evaluation() -> list[dict[str, str]]:
    path = resources.files("tillit").joinpath("data/evaluation/passages.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def make_corpus(target_mb: float, seed: int = 0, evidence_share: float = 1 / 6) -> list[str]:
    """Documents of 20-80 paragraphs (about 10-40 KB, the size of council minutes) until
    ``target_mb`` MB of UTF-8 text; ``evidence_share`` of the paragraphs are evaluation
    passages."""
    rng = random.Random(seed)
    rows = _evaluation()
    by_lang = {lang: [r["text"] for r in rows if r["lang"] == lang] for lang in FILLER}
    docs: list[str] = []
    size = 0
    while size < target_mb * 1e6:
        lang = rng.choice(list(FILLER))
        paragraphs = []
        for _ in range(rng.randint(20, 80)):
            if rng.random() < evidence_share:
                paragraphs.append(rng.choice(by_lang[lang]))
                continue
            sentences = rng.sample(FILLER[lang], rng.randint(3, 7))
            paragraphs.append(
                " ".join(
                    s.format(
                        y=2025 + rng.randint(0, 3),
                        z=2029 + rng.randint(0, 3),
                        n=rng.randint(2, 99),
                        h=rng.randint(17, 22),
                        m=rng.choice(MONTHS),
                    )
                    for s in sentences
                )
            )
        doc = "\n\n".join(paragraphs)
        docs.append(doc)
        size += len(doc.encode("utf-8"))
    return docs


def _best(fn: Callable[[], Any], repeats: int) -> float:
    """Best CPU time of this process over ``repeats`` runs: a per-core figure that other work on
    the machine does not distort (everything here runs on one thread)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def regex_for(forms: list[str]) -> re.Pattern[str]:
    """The user's regex: one alternation of every form, longest first, with word boundaries."""
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    return re.compile(r"\b(?:" + "|".join(re.escape(f) for f in ordered) + r")\b", re.IGNORECASE)


def regex_for_terms(terms: list[Term]) -> re.Pattern[str]:
    """A terser user regex: the base terms, ``\\w*`` after each (endings and compounds)."""
    texts = sorted({t.text for t in terms}, key=lambda f: (-len(f), f))
    body = "|".join(re.escape(t) for t in texts)
    return re.compile(r"\b(?:" + body + r")\w*", re.IGNORECASE)


def speed(quick: bool) -> list[dict[str, Any]]:
    docs = make_corpus(1.0 if quick else 4.0)
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    repeats = 1 if quick else 3
    matcher = default_matcher()
    automaton = matcher._automaton
    lowered = [search_text(d) for d in docs]
    screen_text(docs[0])  # load the language model outside the timings

    def pipeline(mode: str) -> Callable[[], None]:
        def go() -> None:
            for doc in docs:
                screen_text(doc, matcher, passage_langs=mode)

        return go

    def raw_scan() -> None:
        for low in lowered:
            for _ in automaton.iter(low):
                pass

    rates = {mode: megabytes / _best(pipeline(mode), repeats) for mode in MODES}
    rate_raw = megabytes / _best(raw_scan, repeats)
    # The regexes are slow: time them on the first documents (a rate does not need all).
    sample = []
    for doc in docs:
        sample.append(doc)
        if sum(len(d.encode("utf-8")) for d in sample) > (0.05 if quick else 0.2) * 1e6:
            break
    sample_mb = sum(len(d.encode("utf-8")) for d in sample) / 1e6
    regexes = {
        f"re alternation of {matcher.n_forms} forms": regex_for(matcher.forms()),
        f"re alternation of {len({t.text for t in matcher.lexicon.terms})} terms + \\w*": (
            regex_for_terms(list(matcher.lexicon.terms))
        ),
    }
    regex_rates = {}
    for label, pattern in regexes.items():

        def scan(pattern: re.Pattern[str] = pattern) -> None:
            for doc in sample:
                for _ in pattern.finditer(doc):
                    pass

        regex_rates[label] = sample_mb / _best(scan, 1)
    peer, peer_rate = max(regex_rates.items(), key=lambda item: item[1])
    common = {"unit": "MB/s", "n": round(megabytes, 2), "documents": len(docs)}
    regex = {"peer": peer, "peer_value": peer_rate, "regex_rates": regex_rates}
    return [
        {"name": "screening.end_to_end", "value": rates["matched"], **regex, **common},
        {"name": "screening.end_to_end_doc_lang", "value": rates["document"], **regex, **common},
        {"name": "screening.end_to_end_all_langs", "value": rates["all"], **regex, **common},
        {"name": "screening.aho_corasick_raw", "value": rate_raw, **regex, **common},
        {
            "name": "screening.vs_ceiling",
            "value": rates["matched"],
            "peer": "raw Aho-Corasick scan",
            "peer_value": rate_raw,
            **common,
        },
    ]


def quality(quick: bool) -> list[dict[str, Any]]:
    rows = _evaluation()
    texts = [r["text"] for r in rows]
    labels = [set(filter(None, r["labels"].split(";"))) for r in rows]
    groups = [r["group"] for r in rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScreeningWarning)
        combined = cross_validate(texts, labels, groups=groups, folds=5, combine="union")
    concepts = list(combined.index)
    if quick:
        concepts = concepts[:3]
    lexicon = evaluate_lexicon(texts, labels, concepts=concepts)
    entries = []
    for concept in concepts:
        ours, peer = combined.loc[concept], lexicon.loc[concept]
        entries.append(
            {
                "name": f"screening.quality.{concept}",
                "unit": "F1",
                "value": float(ours.f1),
                "peer": "lexicon only",
                "peer_value": float(peer.f1),
                "n": int(ours.support),
                "precision": float(ours.precision),
                "recall": float(ours.recall),
                "peer_precision": float(peer.precision),
                "peer_recall": float(peer.recall),
            }
        )
    return entries


def run(quick: bool) -> list[dict[str, Any]]:
    return [*speed(quick), *quality(quick)]
