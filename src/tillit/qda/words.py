"""Words: tokens with offsets, Norwegian and Danish stop words, stemming, frequencies, KWIC.

Tokens are runs of letters and digits (hyphenated compounds such as ``tillits-reform`` stay
one token), lower-cased with :meth:`str.casefold`; offsets point into the original text. Stemming
uses the Snowball stemmers of PyStemmer (``"norwegian"`` covers Bokmål and, roughly, Nynorsk;
``"danish"``). The stop-word lists are short lists of function words written for tillit.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tillit.qda.errors import QdaError

__all__ = [
    "LANGUAGES",
    "STOP_WORDS",
    "Tokens",
    "kwic",
    "stem_words",
    "stop_words",
    "tokenize",
    "word_frequencies",
]

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")

#: Language names accepted (tillit's short codes map to Snowball stemmers).
LANGUAGES = {
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "norwegian": "norwegian",
    "da": "danish",
    "danish": "danish",
    "sv": "swedish",
    "swedish": "swedish",
    "en": "english",
    "english": "english",
}

_NO = """
alle andre at av bare begge ble blei bli blir blitt både båe da de deg dei deim deira deires
dem den denne der dere deres det dette di din disse ditt du dykk dykkar då eg ein eit eitt eller
elles en enn er et ett etter for fordi fra før ha hadde han hans har hennar henne hennes her hjå
ho hoe honom hoss hossen hun hva hvem hver hvilke hvilken hvis hvor hvordan hvorfor i ikke ikkje
ingen ingi inkje inn inni ja jeg kan kom korleis korso kun kunne kva kvar kvarhelst kven kvi
kvifor man mange me med medan meg meget mellom men mi min mine mitt mot mykje ned no noe noen
noka noko nokon nokor nokre nå når og også om opp oss over på samme seg selv si sia sidan siden
sin sine sitt sjøl skal skulle slik so som somme somt så sånn til um upp ut uten var vart varte
ved vere verte vi vil ville vore vors vort vår være vært å
"""

_DA = """
ad af alle alt anden at blev blive bliver da de dem den denne der deres det dette dig din disse
dog du efter eller en end er et for fra ham han hans har havde have hende hendes her hos hun hvad
hvis hvor i ikke ind jeg jer jo kunne man mange med meget men mig min mine mit mod ned noget nogle
nu når og også om op os over på selv sig sin sine sit skal skulle som sådan thi til ud under var
vi vil ville vor være været
"""

#: Stop words per stemmer language.
STOP_WORDS: dict[str, frozenset[str]] = {
    "norwegian": frozenset(_NO.split()),
    "danish": frozenset(_DA.split()),
}


def _language(language: str | None) -> str | None:
    if language is None:
        return None
    name = LANGUAGES.get(language.lower())
    if name is None:
        raise QdaError(
            f"language={language!r} is not supported",
            f"Use one of {', '.join(sorted(LANGUAGES))}.",
            argument="language",
        )
    return name


def stop_words(language: str | None) -> frozenset[str]:
    """Stop words of a language (``"nb"``, ``"da"``...); ``None`` gives Norwegian and Danish."""
    name = _language(language)
    if name is None:
        return STOP_WORDS["norwegian"] | STOP_WORDS["danish"]
    return STOP_WORDS.get(name, frozenset())


@functools.lru_cache(maxsize=8)
def _stemmer(name: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(name)


def stem_words(words: Sequence[str], language: str) -> list[str]:
    """Snowball stems of lower-case words.

    Examples
    --------
    >>> stem_words(["reformene", "reformen", "reform"], "nb")
    ['reform', 'reform', 'reform']
    """
    name = _language(language)
    assert name is not None
    return list(_stemmer(name).stemWords(list(words)))


@dataclass(frozen=True)
class Tokens:
    """Tokens of one text: ``words`` (case-folded) with ``starts`` and ``ends`` offsets."""

    words: list[str]
    starts: np.ndarray
    ends: np.ndarray


def tokenize(text: str) -> Tokens:
    """Split a text into case-folded word tokens with code-point offsets.

    Examples
    --------
    >>> t = tokenize("Tillit-reformen, sa hun.")
    >>> t.words, t.starts.tolist()
    (['tillit-reformen', 'sa', 'hun'], [0, 17, 20])
    """
    starts, ends, words = [], [], []
    for match in _TOKEN.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
        words.append(match.group().casefold())
    return Tokens(words, np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))


def _texts(texts: Mapping[Hashable, str] | Sequence[str]) -> list[tuple[Hashable, str]]:
    if isinstance(texts, Mapping):
        return list(texts.items())
    return list(enumerate(texts))


def _segments(texts: list[tuple[Hashable, str]], codings: Any) -> list[tuple[Hashable, str, int]]:
    """(source, text, offset) pieces: whole texts, or the coded segments when codings are given."""
    if codings is None:
        return [(k, t, 0) for k, t in texts]
    from tillit.qda.codings import as_codings, merge_intervals

    frame = as_codings(codings)
    lookup = dict(texts)
    keys = pd.Index(list(lookup))
    idx = keys.get_indexer(pd.Index(frame["source_id"]))
    if (idx < 0).any():
        bad = frame["source_id"].iloc[int(np.flatnonzero(idx < 0)[0])]
        raise QdaError(
            f"codings name source {bad!r}, which is not among the texts", argument="codings"
        )
    g, s, e = merge_intervals(idx, frame["start"], frame["end"])
    return [(keys[k], lookup[keys[k]][a:b], int(a)) for k, a, b in zip(g, s, e, strict=True)]


def word_frequencies(
    texts: Mapping[Hashable, str] | Sequence[str],
    *,
    language: str | None = None,
    stem: bool = False,
    remove_stop_words: bool = True,
    extra_stop_words: Iterable[str] = (),
    min_length: int = 2,
    codings: Any = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Word (or stem) frequencies over texts, optionally only within coded segments.

    Parameters
    ----------
    texts : mapping source_id -> text, or a sequence of texts
    language : str, optional
        ``"nb"``, ``"nn"``, ``"da"``...: picks stop words and the stemmer. Default: Norwegian
        and Danish stop words together; stemming then needs a language.
    stem : bool
        Group words by Snowball stem.
    remove_stop_words : bool
    extra_stop_words : iterable of str
    min_length : int
        Shorter tokens and pure numbers are left out.
    codings : codings, optional
        Count only text inside these codings (e.g. one code's segments); overlapping codings
        count once.
    top : int, optional
        Keep the ``top`` most frequent.

    Returns
    -------
    DataFrame
        ``word, count, n_sources, forms`` (the surface forms grouped under a stem, most frequent
        first), sorted by count then word.

    Examples
    --------
    >>> word_frequencies(["Tilliten vokser.", "Tillit og tilliten."], language="nb", stem=True)
         word  count  n_sources             forms
    0  tillit      3          2  tilliten, tillit
    1    voks      1          1            vokser
    """
    name = _language(language)
    if stem and name is None:
        raise QdaError(
            "stemming needs a language", "Pass language='nb' or 'da'.", argument="language"
        )
    stops = set(stop_words(language)) if remove_stop_words else set()
    stops |= {w.casefold() for w in extra_stop_words}
    form_total: Counter[str] = Counter()
    forms_by_source: dict[Hashable, set[str]] = {}
    for source, text, _ in _segments(_texts(texts), codings):
        found = Counter(w.casefold() for w in _TOKEN.findall(text))
        for word, n in found.items():
            if len(word) < min_length or word.isdigit() or word in stops:
                continue
            form_total[word] += n
            forms_by_source.setdefault(source, set()).add(word)
    if not form_total:
        return pd.DataFrame(columns=["word", "count", "n_sources", "forms"])
    forms = sorted(form_total)
    if stem:
        assert name is not None
        mapping = dict(zip(forms, stem_words(forms, name), strict=True))
    else:
        mapping = {f: f for f in forms}
    n_sources: Counter[str] = Counter()
    for seen in forms_by_source.values():
        n_sources.update({mapping[f] for f in seen})
    frame = pd.DataFrame(
        {"form": forms, "word": [mapping[f] for f in forms], "n": [form_total[f] for f in forms]}
    )
    counts = frame.groupby("word").agg(count=("n", "sum"))
    counts["n_sources"] = [n_sources[w] for w in counts.index]
    form_counts = frame.sort_values(["word", "n", "form"], ascending=[True, False, True])
    forms_joined = form_counts.groupby("word")["form"].agg(", ".join)
    out = counts.join(forms_joined.rename("forms")).reset_index()
    out = out.sort_values(["count", "word"], ascending=[False, True]).reset_index(drop=True)
    if top is not None:
        out = out.head(top).reset_index(drop=True)
    return out


def kwic(
    texts: Mapping[Hashable, str] | Sequence[str],
    keyword: str,
    *,
    language: str | None = None,
    stem: bool = True,
    width: int = 40,
    codings: Any = None,
) -> pd.DataFrame:
    """Keyword in context: every occurrence of a word (or phrase), with its context.

    Parameters
    ----------
    texts : mapping source_id -> text, or a sequence of texts
    keyword : str
        One word or a phrase of consecutive words.
    language : str, optional
        Needed for ``stem=True``: ``"nb"``, ``"da"``...
    stem : bool
        Match on Snowball stems (``reformen`` finds ``reformene``); without a language, exact
        case-insensitive word match.
    width : int
        Characters of context on each side.
    codings : codings, optional
        Only occurrences inside these codings.

    Returns
    -------
    DataFrame
        ``source_id, start, end, left, match, right`` with offsets into the original text.

    Examples
    --------
    >>> kwic({"s": "Vi trenger tillit. Tilliten er lav."}, "tillit", language="nb", width=8)
      source_id  start  end      left     match     right
    0         s     11   17  trenger     tillit  . Tillit
    1         s     19   27  tillit.   Tilliten   er lav.
    """
    from tillit.qda.search import find_phrase

    rows = []
    all_texts = _texts(texts)
    lookup = dict(all_texts)
    use_stem = stem and language is not None
    for source, piece, offset in _segments(all_texts, codings):
        full = lookup[source]
        for start, end in find_phrase(piece, keyword, language=language if use_stem else None):
            a, b = start + offset, end + offset
            rows.append(
                {
                    "source_id": source,
                    "start": a,
                    "end": b,
                    "left": full[max(0, a - width) : a].replace("\n", " "),
                    "match": full[a:b],
                    "right": full[b : b + width].replace("\n", " "),
                }
            )
    return pd.DataFrame(rows, columns=["source_id", "start", "end", "left", "match", "right"])
