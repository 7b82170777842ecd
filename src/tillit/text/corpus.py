"""A corpus as Parquet partitions, screened in-process or on a Dask cluster, resumably.

Layout of a corpus directory::

    corpus/
        part-00000.parquet      doc_id, text (normalised), metadata columns ...
        part-00001.parquet
    results/                    (any directory; one result file per corpus partition)
        part-00000.parquet      one row per (doc_id, passage, concept)
        documents/
            part-00000.parquet  one row per document: its language, passages, length

:func:`write_corpus` appends partitions of ``partition_size`` documents. :func:`screen_corpus`
screens every partition that has no up-to-date result file with
:func:`tillit.text.screen.screen_text` and writes its results atomically (a temporary file
renamed into place), so an interrupted run loses at most the partitions that were being
screened and a second run starts where the first stopped. A result file is up to date when it
was made from the same partition content (SHA-256 in its Parquet metadata) with the same
lexicon version; anything else is screened again.

The same per-partition function runs in-process (``scheduler=None``) or on a Dask cluster
(``scheduler="tcp://host:8786"``, via :class:`distributed.Client`, ``client.map`` and
``as_completed``), so both give identical results. A partition that fails (a damaged file, a
worker that dies) is reported in :class:`ScreenSummary` and the others go on.

Result columns: ``doc_id``, ``passage`` (index), ``start``, ``end`` (code-point offsets into
the stored text, end-exclusive), ``lang`` and ``lang_confidence`` of the passage, ``doc_lang``,
``concept``, ``score``, ``terms`` (the matched terms, in text order) and ``n_matches``.
Documents without any match have no result rows; :func:`read_documents` has every document
(``doc_id``, ``doc_lang``, ``lang_confidence``, ``n_passages``, ``n_chars``, ``n_rows``).
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.text.normalize import normalize

if TYPE_CHECKING:
    import pandas

__all__ = [
    "DOCUMENT_COLUMNS",
    "RESULT_COLUMNS",
    "ScreenSummary",
    "read_documents",
    "read_results",
    "screen_corpus",
    "screen_partition",
    "write_corpus",
]

RESULT_COLUMNS = (
    "doc_id",
    "passage",
    "start",
    "end",
    "lang",
    "lang_confidence",
    "doc_lang",
    "concept",
    "score",
    "terms",
    "n_matches",
)
DOCUMENT_COLUMNS = ("doc_id", "doc_lang", "lang_confidence", "n_passages", "n_chars", "n_rows")
_PART = "part-{:05d}.parquet"
_DOCUMENTS = "documents"
_META_LEXICON = b"tillit.lexicon_version"
_META_SOURCE = b"tillit.source_sha256"
_META_DOCS = b"tillit.n_documents"
_META_PASSAGES = b"tillit.n_passages"


@dataclass(frozen=True)
class ScreenSummary:
    """What :func:`screen_corpus` did.

    Attributes
    ----------
    n_partitions : int
        Partitions in the corpus.
    n_screened, n_skipped, n_failed : int
        Partitions screened in this run, skipped as already done, and failed.
    n_documents, n_passages, n_rows : int
        Documents, passages and result rows of the partitions screened in this run.
    seconds : float
        Wall time of the run.
    lexicon_version : str
        The lexicon used.
    failures : list of dict
        ``{"partition": file name, "error": message}`` per failed partition.
    """

    n_partitions: int
    n_screened: int
    n_skipped: int
    n_failed: int
    n_documents: int
    n_passages: int
    n_rows: int
    seconds: float
    lexicon_version: str
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every partition has up-to-date results."""
        return self.n_failed == 0


def _atomic_write(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_corpus(
    documents: Iterable[dict[str, Any]], directory: Path, *, partition_size: int = 200
) -> list[Path]:
    """Write documents as Parquet partitions ``part-00000.parquet`` ... in ``directory``.

    Parameters
    ----------
    documents : iterable of dict
        Each with ``doc_id`` (str, unique) and ``text`` (str; normalised on the way in, so
        result offsets point into the stored text), plus any metadata columns (municipality,
        date, source URL, ...). Consumed lazily, one partition at a time.
    directory : Path
        Created if missing. Existing partitions are kept and new ones numbered after them, so
        adding documents never invalidates results of earlier partitions.
    partition_size : int, default 200
        Documents per partition.

    Returns
    -------
    list of Path
        The partitions written.

    Raises
    ------
    TillitError
        A document without ``doc_id`` or ``text``, or a ``doc_id`` repeated in this call.
    """
    import pyarrow as pa

    if partition_size < 1:
        raise ValueError(f"partition_size={partition_size!r} is not allowed; use 1 or more")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    existing = [int(p.stem.split("-")[1]) for p in directory.glob("part-*.parquet")]
    number = max(existing, default=-1) + 1
    written: list[Path] = []
    seen: set[str] = set()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal number, batch
        if not batch:
            return
        path = directory / _PART.format(number)
        try:
            table = pa.Table.from_pylist(batch)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            ids = f"{batch[0]['doc_id']!r} ... {batch[-1]['doc_id']!r}"
            raise TillitError(
                f"Documents {ids}: a metadata column mixes types ({exc}).",
                ErrorCode.INVALID_INPUT,
                hint="Give each metadata column one type (e.g. years all as integers).",
            ) from exc
        _atomic_write(table, path)
        written.append(path)
        number += 1
        batch = []

    for position, document in enumerate(documents):
        doc_id, text = document.get("doc_id"), document.get("text")
        if not isinstance(doc_id, str) or not doc_id or not isinstance(text, str):
            raise TillitError(
                f"Document {position} has no string doc_id and text: {sorted(document)!r}.",
                ErrorCode.INVALID_INPUT,
                hint="Every document needs a non-empty 'doc_id' and a 'text'.",
            )
        if doc_id in seen:
            raise TillitError(
                f"Document {position}: doc_id {doc_id!r} occurs twice.",
                ErrorCode.INVALID_INPUT,
                hint="Give every document its own doc_id, e.g. its SHA-256.",
            )
        seen.add(doc_id)
        batch.append({**document, "text": normalize(text)})
        if len(batch) >= partition_size:
            flush()
    flush()
    return written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _result_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("passage", pa.int32()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("lang", pa.string()),
            ("lang_confidence", pa.float64()),
            ("doc_lang", pa.string()),
            ("concept", pa.string()),
            ("score", pa.float64()),
            ("terms", pa.list_(pa.string())),
            ("n_matches", pa.int32()),
        ]
    )


def _document_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("doc_lang", pa.string()),
            ("lang_confidence", pa.float64()),
            ("n_passages", pa.int32()),
            ("n_chars", pa.int64()),
            ("n_rows", pa.int32()),
        ]
    )


def _up_to_date(result: Path, source_sha: str, lexicon_version: str) -> bool:
    import pyarrow.parquet as pq

    if not result.exists() or not (result.parent / _DOCUMENTS / result.name).exists():
        return False
    try:
        metadata = pq.read_schema(result).metadata or {}
    except (OSError, ValueError):
        return False  # a damaged result file is simply made again
    return (
        metadata.get(_META_SOURCE) == source_sha.encode()
        and metadata.get(_META_LEXICON) == lexicon_version.encode()
    )


def screen_partition(partition: str, result: str, lexicon_version: str) -> dict[str, Any]:
    """Screen one corpus partition and write its result file atomically.

    Runs in the calling process or on a Dask worker. Returns counts for the summary:
    ``{"partition", "n_documents", "n_passages", "n_rows", "skipped"}``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tillit.text.screen import screen_text

    source = Path(partition)
    target = Path(result)
    source_sha = _sha256(source)
    if _up_to_date(target, source_sha, lexicon_version):
        return {"partition": source.name, "n_documents": 0, "n_passages": 0, "n_rows": 0,
                "skipped": True}  # fmt: skip
    table = pq.read_table(source, columns=["doc_id", "text"])
    matcher = _matcher(lexicon_version)
    columns: dict[str, list[Any]] = {name: [] for name in RESULT_COLUMNS}
    documents: dict[str, list[Any]] = {name: [] for name in DOCUMENT_COLUMNS}
    n_passages = 0
    for doc_id, text in zip(
        table.column("doc_id").to_pylist(), table.column("text").to_pylist(), strict=True
    ):
        screening = screen_text(text or "", matcher)
        n_passages += len(screening.passages)
        n_before = len(columns["doc_id"])
        for passage in screening.passages:
            for concept, value in passage.scores.items():
                matches = [m for m in passage.matches if m.concept == concept]
                columns["doc_id"].append(doc_id)
                columns["passage"].append(passage.index)
                columns["start"].append(passage.start)
                columns["end"].append(passage.end)
                columns["lang"].append(passage.lang)
                columns["lang_confidence"].append(passage.lang_confidence)
                columns["doc_lang"].append(screening.lang)
                columns["concept"].append(concept)
                columns["score"].append(value)
                columns["terms"].append([m.term for m in matches])
                columns["n_matches"].append(len(matches))
        for name, value in zip(
            DOCUMENT_COLUMNS,
            (doc_id, screening.lang, screening.lang_confidence, len(screening.passages),
             len(text or ""), len(columns["doc_id"]) - n_before),
            strict=True,
        ):  # fmt: skip
            documents[name].append(value)
    metadata = {
        _META_LEXICON: lexicon_version.encode(),
        _META_SOURCE: source_sha.encode(),
        _META_DOCS: str(table.num_rows).encode(),
        _META_PASSAGES: str(n_passages).encode(),
    }
    out = pa.table(columns, schema=_result_schema().with_metadata(metadata))
    (target.parent / _DOCUMENTS).mkdir(parents=True, exist_ok=True)
    # The document table first: the result file is what marks the partition as done.
    _atomic_write(
        pa.table(documents, schema=_document_schema().with_metadata(metadata)),
        target.parent / _DOCUMENTS / target.name,
    )
    _atomic_write(out, target)
    return {
        "partition": source.name,
        "n_documents": table.num_rows,
        "n_passages": n_passages,
        "n_rows": out.num_rows,
        "skipped": False,
    }


_matchers: dict[str, Any] = {}


def _matcher(version: str) -> Any:
    """One Matcher per lexicon version per process (workers keep theirs between tasks)."""
    if version not in _matchers:
        from tillit.text.lexicon import load_lexicon
        from tillit.text.matcher import Matcher

        _matchers[version] = Matcher(load_lexicon(version))
    return _matchers[version]


def screen_corpus(
    corpus_dir: Path,
    results_dir: Path,
    *,
    lexicon_version: str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    connect_timeout: float = 30.0,
) -> ScreenSummary:
    """Screen every partition of a corpus that has no up-to-date results.

    Parameters
    ----------
    corpus_dir : Path
        Written by :func:`write_corpus`.
    results_dir : Path
        Where ``part-NNNNN.parquet`` result files go (created if missing).
    lexicon_version : str, optional
        Bundled lexicon version; the newest by default.
    scheduler : str, optional
        None screens in this process; a Dask scheduler address (``"tcp://host:8786"``, or
        ``LocalCluster().scheduler_address``) screens the partitions on that cluster. Workers
        need tillit installed.
    progress : callable, optional
        Called as ``progress(done, total)`` (partitions) after each partition, skipped ones
        included.
    connect_timeout : float, default 30
        Seconds to wait for the Dask scheduler.

    Returns
    -------
    ScreenSummary

    Raises
    ------
    NotFoundError
        The corpus directory has no partitions.
    TillitError
        The Dask scheduler cannot be reached (code ``config``).
    """
    from tillit.text.lexicon import load_lexicon

    started = time.perf_counter()
    corpus_dir, results_dir = Path(corpus_dir), Path(results_dir)
    partitions = sorted(corpus_dir.glob("part-*.parquet"))
    if not partitions:
        raise NotFoundError(
            f"No corpus partitions (part-*.parquet) in {corpus_dir}.",
            hint="Write the corpus first (tillit.text.corpus.write_corpus).",
        )
    version = load_lexicon(lexicon_version).version
    results_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(str(p), str(results_dir / p.name), version) for p in partitions]
    outcomes: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    total = len(tasks)

    def record(outcome: dict[str, Any] | None, partition: str, error: BaseException | None) -> None:
        if error is not None:
            failures.append({"partition": Path(partition).name, "error": _describe(error)})
        elif outcome is not None:
            outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes) + len(failures), total)

    if scheduler is None:
        for task in tasks:
            try:
                outcome = screen_partition(*task)
            except Exception as exc:
                record(None, task[0], exc)
            else:
                record(outcome, task[0], None)
    else:
        _run_on_dask(scheduler, tasks, record, connect_timeout)
    screened = [o for o in outcomes if not o["skipped"]]
    return ScreenSummary(
        n_partitions=total,
        n_screened=len(screened),
        n_skipped=len(outcomes) - len(screened),
        n_failed=len(failures),
        n_documents=sum(o["n_documents"] for o in screened),
        n_passages=sum(o["n_passages"] for o in screened),
        n_rows=sum(o["n_rows"] for o in screened),
        seconds=time.perf_counter() - started,
        lexicon_version=version,
        failures=sorted(failures, key=lambda f: f["partition"]),
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _run_on_dask(
    scheduler: str,
    tasks: list[tuple[str, str, str]],
    record: Callable[[dict[str, Any] | None, str, BaseException | None], None],
    connect_timeout: float,
) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise TillitError(
            "Dask's distributed scheduler is not installed.",
            ErrorCode.CONFIG,
            hint="pip install 'dask[distributed]'",
        ) from exc
    try:
        client = Client(scheduler, timeout=f"{connect_timeout}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise TillitError(
            f"Cannot connect to the Dask scheduler at {scheduler} ({exc}).",
            ErrorCode.CONFIG,
            hint="Check the address (tcp://host:8786) and that the scheduler is running.",
        ) from exc
    try:
        futures = client.map(
            screen_partition,
            [t[0] for t in tasks],
            [t[1] for t in tasks],
            [t[2] for t in tasks],
            pure=False,
            retries=0,
        )
        partition_of = {future.key: task[0] for future, task in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):
            partition = partition_of[future.key]
            try:
                outcome = future.result()
            except Exception as exc:
                record(None, partition, exc)
            else:
                record(outcome, partition, None)
    finally:
        client.close()


def read_results(results_dir: Path) -> pandas.DataFrame:
    """All screening results as one DataFrame, one row per (doc_id, passage, concept).

    Rows come in partition order, then document and passage order, concepts sorted, so the
    in-process and the Dask run give identical frames. ``df.attrs["lexicon_versions"]`` lists
    the lexicon versions found.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(Path(results_dir).glob("part-*.parquet"))
    tables = [pq.read_table(f) for f in files]
    versions = sorted(
        {(t.schema.metadata or {}).get(_META_LEXICON, b"").decode() for t in tables} - {""}
    )
    if tables:
        frame = pa.concat_tables([t.replace_schema_metadata(None) for t in tables]).to_pandas()
    else:
        frame = _result_schema().empty_table().to_pandas()
    frame["terms"] = frame["terms"].map(list)
    frame.attrs["lexicon_versions"] = versions
    return frame.reset_index(drop=True)


def read_documents(results_dir: Path) -> pandas.DataFrame:
    """One row per screened document: ``doc_id``, ``doc_lang``, ``lang_confidence``,
    ``n_passages``, ``n_chars`` and ``n_rows`` (its rows in :func:`read_results`), in
    partition and document order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted((Path(results_dir) / _DOCUMENTS).glob("part-*.parquet"))
    if not files:
        return _document_schema().empty_table().to_pandas()
    tables = [pq.read_table(f).replace_schema_metadata(None) for f in files]
    return pa.concat_tables(tables).to_pandas().reset_index(drop=True)
