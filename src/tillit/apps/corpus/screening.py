"""Screening a project's documents: in-process, or on a Dask cluster over Parquet partitions.

Both paths turn each document into the same :class:`services.PassageResult` rows and store them
with :func:`services.do_store_screening`, a batch of documents per transaction, so they give
identical database rows. A run skips documents already screened with the same lexicon version,
so a failed or interrupted run is resumed by starting another.

The Dask path writes the pending documents to Parquet partitions
(:func:`tillit.text.corpus.write_corpus`) under ``<project dir>/corpus/<project>/run-<id>/``,
runs :func:`tillit.text.corpus.screen_corpus` with the scheduler, and loads the results back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from tillit.apps.core.models import Project
from tillit.apps.corpus import services
from tillit.apps.corpus.models import Document, ScreeningRun
from tillit.apps.corpus.services import PassageResult
from tillit.errors import ErrorCode, TillitError

Progress = Callable[[int, int], None]
BATCH = 25


def pending_documents(project: Project, lexicon_version: str) -> Any:
    return (
        Document.objects.filter(project=project, status=Document.Status.OK)
        .exclude(screened_version=lexicon_version)
        .order_by("id")
    )


def work_dir_for(project: Project) -> Path:
    """Where the Dask path keeps its Parquet partitions (inside the project directory)."""
    pdir = getattr(settings, "PROJECT", None)
    if pdir is None:
        raise TillitError(
            "The Dask path needs a project directory for its Parquet files.",
            ErrorCode.CONFIG,
            hint="Pass --dir DIR (or set TILLIT_DIR), or give --work-dir.",
        )
    return Path(pdir.path) / "corpus" / project.slug


def _terms(matches: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for m in matches:
        out.setdefault(m.concept, []).append(
            {
                "term": m.term,
                "start": int(m.start),
                "end": int(m.end),
                "weight": float(getattr(m, "weight", 1.0)),
            }
        )
    return out


def results_from_screening(ds: Any) -> list[PassageResult]:
    """:class:`tillit.text.screen.DocumentScreening` to storable passage rows: the passages with
    a score for at least one concept (the others are not stored; they can be recomputed from the
    text at any time, and a corpus of millions of documents does not need them in the
    database)."""
    rows = []
    for ps in ds.passages:
        if not ps.scores:
            continue
        terms = _terms(ps.matches)
        scores = {c: (float(s), terms.get(c, [])) for c, s in ps.scores.items()}
        rows.append(
            PassageResult(
                int(ps.index),
                int(ps.start),
                int(ps.end),
                ps.lang,
                round(float(ps.lang_confidence), 6),
                scores,
            )
        )
    return rows


def screen_project(
    project: Project,
    *,
    actor: AbstractBaseUser | None,
    lexicon_version: str | None = None,
    scheduler: str | None = None,
    work_dir: Path | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
    batch_size: int = BATCH,
) -> ScreeningRun:
    """Screen the project's unscreened documents; returns the finished run."""
    from tillit.text.lexicon import load_lexicon

    lexicon = load_lexicon(lexicon_version)
    qs = pending_documents(project, lexicon.version)
    n_ok = Document.objects.filter(project=project, status=Document.Status.OK).count()
    ids = list(qs.values_list("id", flat=True))
    if limit is not None:
        ids = ids[:limit]
    run = services.do_start_screening(
        project,
        lexicon_version=lexicon.version,
        total=len(ids),
        skipped=n_ok - len(qs),
        scheduler=scheduler or "",
        actor=actor,
    )
    if progress is not None:
        progress(0, len(ids))
    try:
        if scheduler and ids:
            _screen_dask(run, ids, lexicon, scheduler, work_dir, progress, batch_size)
        else:
            _screen_local(run, ids, lexicon, progress, batch_size, actor)
    except BaseException as exc:
        message = exc.message if isinstance(exc, TillitError) else f"{type(exc).__name__}: {exc}"
        services.do_finish_screening(run, actor=actor, error=message or type(exc).__name__)
        raise
    return services.do_finish_screening(run, actor=actor)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _screen_local(
    run: ScreeningRun,
    ids: list[int],
    lexicon: Any,
    progress: Progress | None,
    batch_size: int,
    actor: AbstractBaseUser | None,
) -> None:
    from tillit.text.matcher import Matcher
    from tillit.text.screen import screen_text

    matcher = Matcher(lexicon)
    for chunk in _chunks(ids, batch_size):
        batch = []
        for doc in Document.objects.filter(pk__in=chunk).only("id", "text").order_by("id"):
            ds = screen_text(doc.text, matcher)
            batch.append((doc.pk, ds.lang, results_from_screening(ds)))
        run = services.do_store_screening(run, batch, actor=actor)
        if progress is not None:
            progress(run.done, run.total)


def _screen_dask(
    run: ScreeningRun,
    ids: list[int],
    lexicon: Any,
    scheduler: str,
    work_dir: Path | None,
    progress: Progress | None,
    batch_size: int,
) -> None:
    from tillit.text.corpus import read_results, screen_corpus, write_corpus

    version = lexicon.version

    base = (work_dir or work_dir_for(run.project)) / f"run-{run.pk}"
    corpus_dir, results_dir = base / "corpus", base / "results"
    if corpus_dir.exists():
        shutil.rmtree(corpus_dir)

    def documents() -> Iterator[dict[str, Any]]:
        for chunk in _chunks(ids, 500):
            for doc in Document.objects.filter(pk__in=chunk).only("id", "text").order_by("id"):
                yield {"doc_id": str(doc.pk), "text": doc.text}

    write_corpus(documents(), corpus_dir)
    n_docs = len(ids)

    def cluster_progress(done: int, total: int) -> None:
        # partitions screened on the cluster, shown as the share of documents
        if progress is not None and total:
            progress(min(n_docs, n_docs * done // total), n_docs)

    summary = screen_corpus(
        corpus_dir,
        results_dir,
        lexicon_version=version,
        scheduler=scheduler,
        progress=cluster_progress,
    )
    failed = {f["partition"] for f in summary.failures}
    done_ids = _documents_in(corpus_dir, skip=failed)
    by_doc = results_from_frame(read_results(results_dir), lexicon)
    for chunk in _chunks([i for i in ids if i in done_ids], batch_size):
        batch = [(i, *by_doc.get(i, ("", []))) for i in chunk]
        run = services.do_store_screening(run, batch, actor=run.started_by)
    if progress is not None:
        progress(run.done, run.total)
    if failed:
        failures = "; ".join(f"{f['partition']}: {f['error']}" for f in summary.failures[:5])
        raise TillitError(
            f"{summary.n_failed} of {summary.n_partitions} partitions failed on the cluster "
            f"({failures}).",
            ErrorCode.EXTERNAL_TOOL,
            hint="The documents of the other partitions are stored; run `tillit screen run` "
            "again to screen the rest.",
        )
    shutil.rmtree(base, ignore_errors=True)  # the database holds the results now


def _documents_in(corpus_dir: Path, *, skip: set[str]) -> set[int]:
    """Document ids of the corpus partitions not named in ``skip``."""
    import pyarrow.parquet as pq

    out: set[int] = set()
    for part in sorted(corpus_dir.glob("part-*.parquet")):
        if part.name not in skip:
            out.update(
                int(d) for d in pq.read_table(part, columns=["doc_id"])["doc_id"].to_pylist()
            )
    return out


def results_from_frame(frame: Any, lexicon: Any) -> dict[int, tuple[str, list[PassageResult]]]:
    """Rows of :func:`tillit.text.corpus.read_results` (one per document, passage and concept)
    to storable passage rows per document id.

    The result files carry the matched terms without offsets, so the matches of each scored
    passage are found again in its text (the same :class:`Matcher` on the same passage gives the
    same offsets as :func:`tillit.text.screen.screen_text`); that is cheap, since only passages
    with a score are looked at.
    """
    from tillit.text.matcher import Matcher

    matcher = Matcher(lexicon)
    out: dict[int, tuple[str, list[PassageResult]]] = {}
    if frame.empty:
        return out
    frame = frame.astype({"doc_id": str})
    ids = sorted({int(d) for d in frame["doc_id"].unique()})
    texts = dict(Document.objects.filter(pk__in=ids).values_list("id", "text"))
    for doc_id, doc_rows in frame.groupby("doc_id", sort=False):
        did = int(doc_id)
        text = texts[did]
        passages = []
        for _index, rows in doc_rows.groupby("passage", sort=True):
            first = rows.iloc[0]
            start, end = int(first["start"]), int(first["end"])
            found = matcher.find(text[start:end])
            terms = _terms(
                type(m)(m.concept, m.term, m.lang, m.start + start, m.end + start, m.weight)
                for m in found
            )
            scores = {
                str(r.concept): (float(r.score), terms.get(str(r.concept), []))
                for r in rows.itertuples()
            }
            passages.append(
                PassageResult(
                    int(first["passage"]),
                    start,
                    end,
                    str(first["lang"]),
                    round(float(first["lang_confidence"]), 6),
                    scores,
                )
            )
        out[did] = (str(doc_rows.iloc[0]["doc_lang"]), passages)
    return out
