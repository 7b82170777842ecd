"""Qualitative data analysis, the pure part: intercoder reliability (percent agreement, Cohen's
kappa, Krippendorff's alpha), coded-segment queries, search and autocoding, transcripts and
pseudonymisation.

Issue "qda". Pure library: never Django. The Django app ``tillit.apps.qda`` stores projects and
calls into this package.

Data convention: a coding is ``(source_id, start, end, code_id, coder)`` with offsets in Unicode
code points, 0-based, end-exclusive, into the source's normalised text. Every function accepts a
pandas DataFrame with those columns or an iterable of records (mappings, tuples, objects) and
returns DataFrames or frozen dataclasses with ``to_frame()``.

API (module: functions)
-----------------------
codings
    ``as_codings(codings) -> DataFrame``; numpy interval helpers ``merge_intervals``,
    ``overlap_pairs``, ``coverage_lengths``.
reliability
    ``agreement(codings, lengths, *, coders=None, codes=None, uncoded="include",
    by_source=False) -> AgreementResult`` (percent agreement + Cohen's kappa per code, pooled);
    ``code_alpha(codings, lengths, *, coders=None, codes=None, uncoded="include")
    -> CodeAlphaResult`` (Krippendorff's alpha per code on characters, 2+ coders);
    ``segment_overlap(codings, *, coders=None, threshold=0.9, codes=None)
    -> SegmentOverlapResult`` (MAXQDA-style, with ``disagreements``);
    ``pairwise_agreement(codings, lengths, ...) -> DataFrame`` (every coder pair, 3+ coders);
    ``cohen_kappa(both, only_a, only_b, neither) -> float``;
    ``krippendorff_alpha(data, level="nominal", *, value_order=None) -> AlphaResult``;
    ``unitizing_alpha(units, *, length=None, begin=0, lengths=None, coders=None)
    -> UnitizingResult``.
queries
    ``parse_query(text) -> Expr`` (raises ``QueryError`` with ``position``);
    ``run_query(query, codings, *, texts=None, data=QueryData(...)) -> DataFrame``;
    ``cooccurrence(codings, *, codes=None, within_coder=True, proximity=0)
    -> CooccurrenceResult`` (counts, c_coefficient, jaccard, pairs);
    ``code_matrix(codings, by="case", *, data=None, texts=None, codes=None, count="segments")
    -> MatrixResult`` (counts + cells with the segment texts, ``cell(code, column)``);
    ``code_relations(codings, *, codes=None, proximity=0, within_coder=True) -> DataFrame``
    (exact / inclusion / overlap / proximity pairs);
    ``word_frequencies(texts, *, language=None, stem=False, ...)``, ``kwic(texts, keyword, ...)``.
search
    ``search(texts, query, *, language=None, mode="any", width=40) -> DataFrame``;
    ``autocode(texts, *, words=None | pattern=None | concept=None, language=None,
    extend="match", code_id=None) -> DataFrame`` of candidates; ``check_regex(pattern)``.
transcripts
    ``parse_transcript(text, format="auto", *, merge_turns=True) -> Transcript``
    (``text``, ``segments`` of ``SpeakerSegment``; ``TranscriptError`` with ``line``).
pseudonymise
    ``Pseudonymiser(persons=(), places=(), *, others=None, key=None)``; ``.apply(text)
    -> PseudonymisedText`` (``text``, ``replacements``, ``map_offset``, ``map_codings``);
    ``.key``; ``registry_places(country=None)``.
export
    ``to_csv(result, path=None)``, ``to_xlsx(result, path=None) -> bytes``,
    ``html_report(title, sections, *, path=None) -> str``.
"""

from tillit.qda.alpha import AlphaResult, UnitizingResult, krippendorff_alpha, unitizing_alpha
from tillit.qda.codings import CODING_COLUMNS, as_codings
from tillit.qda.errors import OffsetError, QdaError, QueryError, TranscriptError
from tillit.qda.export import html_report, to_csv, to_xlsx
from tillit.qda.pseudonymise import PseudonymisedText, Pseudonymiser, registry_places
from tillit.qda.queries import (
    CooccurrenceResult,
    MatrixResult,
    QueryData,
    code_matrix,
    code_relations,
    cooccurrence,
    parse_query,
    run_query,
)
from tillit.qda.reliability import (
    AgreementResult,
    CodeAlphaResult,
    SegmentOverlapResult,
    agreement,
    code_alpha,
    cohen_kappa,
    pairwise_agreement,
    segment_overlap,
)
from tillit.qda.search import autocode, check_regex, search
from tillit.qda.transcripts import SpeakerSegment, Transcript, parse_transcript
from tillit.qda.words import kwic, word_frequencies

__all__ = [
    "CODING_COLUMNS",
    "AgreementResult",
    "AlphaResult",
    "CodeAlphaResult",
    "CooccurrenceResult",
    "MatrixResult",
    "OffsetError",
    "PseudonymisedText",
    "Pseudonymiser",
    "QdaError",
    "QueryData",
    "QueryError",
    "SegmentOverlapResult",
    "SpeakerSegment",
    "Transcript",
    "TranscriptError",
    "UnitizingResult",
    "agreement",
    "as_codings",
    "autocode",
    "check_regex",
    "code_alpha",
    "code_matrix",
    "code_relations",
    "cohen_kappa",
    "cooccurrence",
    "html_report",
    "krippendorff_alpha",
    "kwic",
    "pairwise_agreement",
    "parse_query",
    "parse_transcript",
    "registry_places",
    "run_query",
    "search",
    "segment_overlap",
    "to_csv",
    "to_xlsx",
    "unitizing_alpha",
    "word_frequencies",
]
