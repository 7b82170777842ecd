"""Parquet corpus: write, screen in-process and on a LocalCluster, resume after a failure."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from tillit.errors import NotFoundError, TillitError
from tillit.text.corpus import (
    DOCUMENT_COLUMNS,
    RESULT_COLUMNS,
    read_documents,
    read_results,
    screen_corpus,
    write_corpus,
)

PARAGRAPHS = [
    "Kommunestyret vedtok tillitsreformen i 2017. Målet er færre rapporteringskrav og mer "
    "tillitsbasert ledelse i hjemmetjenesten.",
    "Kommunestyret vedtok ei tillitsreform i 2019. Føremålet er færre rapporteringskrav og "
    "meir tillitsbasert leiing i heimetenesta.",
    "Byrådet har vedtaget en tillidsreform. Medarbejderne skal have mere handlerum og færre "
    "dokumentationskrav i hverdagen.",
    "Formannskapet behandlet budsjettet for neste år. Det ble ikke fattet vedtak om nye tiltak.",
    "Valg av tillitsvalgte til arbeidsmiljøutvalget skjer i januar, jf. avtalen med KS.",
]


def documents(n: int, prefix: str = "doc") -> list[dict]:
    return [
        {
            "doc_id": f"{prefix}-{i:03d}",
            "text": f"Sak {i}/24\r\n\r\n"
            + "\n\n".join(PARAGRAPHS[(i + k) % len(PARAGRAPHS)] for k in range(3)),
            "municipality": f"{3000 + i}",
            "year": 2017 + i % 5,
        }
        for i in range(n)
    ]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    write_corpus(documents(12), directory, partition_size=3)
    return directory


def test_write_corpus_partitions_and_append(tmp_path):
    import pyarrow.parquet as pq

    directory = tmp_path / "c"
    paths = write_corpus(iter(documents(7)), directory, partition_size=3)
    assert [p.name for p in paths] == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    table = pq.read_table(paths[0])
    assert table.column_names == ["doc_id", "text", "municipality", "year"]
    assert table.column("text")[0].as_py().startswith("Sak 0/24\n\n")  # normalised
    more = write_corpus(documents(2, "ny"), directory, partition_size=3)
    assert [p.name for p in more] == ["part-00003.parquet"]
    assert not list(directory.glob(".*tmp"))


@pytest.mark.parametrize(
    "bad",
    [[{"text": "x"}], [{"doc_id": "a", "text": None}], [{"doc_id": "a", "text": "x"}] * 2],
    ids=["no-id", "no-text", "duplicate"],
)
def test_write_corpus_refuses_bad_documents(tmp_path, bad):
    with pytest.raises(TillitError, match="doc_id"):
        write_corpus(bad, tmp_path / "c")


def test_write_corpus_refuses_mixed_metadata_types(tmp_path):
    docs = [
        {"doc_id": "a", "text": "x", "year": 2020},
        {"doc_id": "b", "text": "y", "year": "i fjor"},
    ]
    with pytest.raises(TillitError, match="mixes types"):
        write_corpus(docs, tmp_path / "c")
    assert not list((tmp_path / "c").glob("*.parquet"))


def test_screen_in_process(corpus, tmp_path):
    results = tmp_path / "results"
    seen: list[tuple[int, int]] = []
    summary = screen_corpus(
        corpus, results, progress=lambda done, total: seen.append((done, total))
    )
    assert summary.n_partitions == 4 and summary.n_screened == 4 and summary.complete
    assert summary.n_documents == 12 and summary.n_rows > 0
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    frame = read_results(results)
    assert tuple(frame.columns) == RESULT_COLUMNS
    assert len(frame) == summary.n_rows
    assert frame.attrs["lexicon_versions"] == [summary.lexicon_version]
    # Offsets point at the stored (normalised) text, and the matched terms are in the passage.
    import pyarrow.parquet as pq

    texts = {}
    for part in sorted(corpus.glob("part-*.parquet")):
        table = pq.read_table(part)
        texts.update(
            zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist(), strict=True)
        )
    for row in frame.itertuples():
        passage = texts[row.doc_id][row.start : row.end].lower()
        assert all(term.split()[0] in passage for term in row.terms)
    trust = frame[frame.concept == "measure.trust_reform"]
    assert set(trust.lang) >= {"nb", "nn", "da"}
    docs = read_documents(results)
    assert tuple(docs.columns) == DOCUMENT_COLUMNS and len(docs) == 12
    assert list(docs.doc_id) == [f"doc-{i:03d}" for i in range(12)]
    assert docs.n_rows.sum() == len(frame) and set(docs.doc_lang) <= {"nb", "nn", "da"}
    assert (docs.n_chars == [len(texts[d]) for d in docs.doc_id]).all()
    # the tillitsvalgte paragraph is a negative context: no trust reform there
    negative = frame[frame.terms.map(lambda terms: any("tillitsvalg" in t for t in terms))]
    assert negative.empty


def test_resume_skips_done_partitions_and_redoes_failed_or_changed(corpus, tmp_path):
    results = tmp_path / "results"
    damaged = corpus / "part-00002.parquet"
    good = damaged.read_bytes()
    damaged.write_bytes(good[: len(good) // 2])  # an interrupted copy: the run must go on
    first = screen_corpus(corpus, results)
    assert first.n_screened == 3 and first.n_failed == 1 and not first.complete
    assert first.failures[0]["partition"] == "part-00002.parquet"
    assert not (results / "part-00002.parquet").exists()
    stamps = {p.name: p.stat().st_mtime_ns for p in results.glob("part-*.parquet")}

    damaged.write_bytes(good)
    time.sleep(0.01)
    second = screen_corpus(corpus, results)
    assert (second.n_screened, second.n_skipped, second.n_failed) == (1, 3, 0)
    assert {
        p.name: p.stat().st_mtime_ns for p in results.glob("part-*.parquet") if p.name in stamps
    } == stamps

    # A partition whose content changed is screened again; the rest stays.
    write_corpus(documents(1, "endret"), tmp_path / "other", partition_size=3)
    (corpus / "part-00000.parquet").write_bytes(
        (tmp_path / "other" / "part-00000.parquet").read_bytes()
    )
    third = screen_corpus(corpus, results)
    assert (third.n_screened, third.n_skipped) == (1, 3)
    assert set(read_results(results).doc_id.str.split("-").str[0]) == {"doc", "endret"}


def test_empty_corpus_and_results(tmp_path):
    with pytest.raises(NotFoundError, match="No corpus partitions"):
        screen_corpus(tmp_path / "nothing", tmp_path / "r")
    frame = read_results(tmp_path / "r")
    assert frame.empty and tuple(frame.columns) == RESULT_COLUMNS
    assert read_documents(tmp_path / "r").empty


@pytest.mark.slow
def test_local_cluster_gives_the_same_results(corpus, tmp_path):
    from distributed import LocalCluster

    local = screen_corpus(corpus, tmp_path / "local")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        seen: list[int] = []
        summary = screen_corpus(
            corpus,
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            progress=lambda done, total: seen.append(done),
        )
    assert summary.n_screened == 4 and summary.complete and seen == [1, 2, 3, 4]
    assert summary.n_rows == local.n_rows
    pd.testing.assert_frame_equal(read_results(tmp_path / "dask"), read_results(tmp_path / "local"))
    pd.testing.assert_frame_equal(
        read_documents(tmp_path / "dask"), read_documents(tmp_path / "local")
    )


def test_bad_scheduler_address(corpus, tmp_path):
    with pytest.raises(TillitError, match="Dask scheduler"):
        screen_corpus(corpus, tmp_path / "r", scheduler="tcp://127.0.0.1:1", connect_timeout=1)
