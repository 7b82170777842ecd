"""Survey exports: 10,000 responses x 150 variables to .sav, .dta and DDI (issue 3, Figures).

A synthetic instrument with 150 export variables (95 five-point select_one with "don't know",
4 select_multiple of 6 options, 12 integer, 2 decimal, 8 text, 2 date, and the metadata
columns ``case_id``, ``disposition`` and five paradata columns) and random responses with skip
logic (a third of the cases skip a block of 20 items) and 10 % partials.

* ``exports.build``: :func:`build_codebook` + :func:`build_frame` (no peer).
* ``exports.sav``: :func:`tillit.interop.stats.write_sav` with variable labels, value labels,
  declared missing values, measures and formats. Peer: ``pyreadstat.write_sav`` of the same
  frame without any metadata.
* ``exports.dta``: :func:`tillit.interop.stats.write_dta` with labels and the recoding of the
  missing codes to ``.a``/``.b``/``.c``. Peer: ``pandas.DataFrame.to_stata`` of the same frame
  (variable labels only, as pandas cannot write tagged missing values with labels per variable
  through this API without extra work).
* ``exports.ddi``: :func:`tillit.interop.ddi.frame_stats` + :func:`write_ddi` (no peer).
* ``*.peak_mib``: peak memory of each step traced with :mod:`tracemalloc` (Python objects and
  numpy buffers; readstat's own C buffers are not traced), the peer's peak in ``peer_peak_mib``
  (not as ``peer_value``: for memory lower is better, and the harness's ratio would read the
  wrong way round).

Times are the best of ``repeats`` runs, seconds (lower is better; the ratio is peer / ours, so
a ratio under 1 means tillit's labelled writer is slower than the bare peer).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from tillit.instruments.model import Choice, ChoiceList, Group, Instrument, Question
from tillit.interop.codebook import build_codebook
from tillit.interop.dataset import build_frame
from tillit.interop.ddi import frame_stats, write_ddi
from tillit.interop.stats import write_dta, write_sav

K_SELECT_ONE, K_MULTI, K_OPTIONS, K_INTEGER, K_DECIMAL, K_TEXT, K_DATE = 95, 4, 6, 12, 2, 8, 2
WORDS = ("tillit", "styring", "kommune", "ledelse", "tjenester", "innbyggere", "ansatte", "rapport")


def instrument() -> Instrument:
    """The synthetic 150-variable instrument."""
    lists = {
        "agree": ChoiceList(
            "agree",
            (
                *(Choice(str(i), {"nb": f"Verdi {i}", "en": f"Value {i}"}) for i in range(1, 6)),
                Choice("dk", {"nb": "Vet ikke", "en": "Don't know"}),
            ),
        ),
        "opts": ChoiceList(
            "opts",
            tuple(Choice(f"o{i}", {"nb": f"Tiltak {i}", "en": f"Measure {i}"}) for i in range(6)),
        ),
    }
    items: list[Question] = []
    for i in range(K_SELECT_ONE):
        text = f"Påstand {i}: tillit mellom politikere og administrasjon"
        items.append(Question(f"s{i}", "select_one", {"nb": text}, list_name="agree"))
    for i in range(K_MULTI):
        items.append(Question(f"m{i}", "select_multiple", {"nb": f"Tiltak {i}"}, list_name="opts"))
    items += [Question(f"n{i}", "integer", {"nb": f"Antall {i}"}) for i in range(K_INTEGER)]
    items += [Question(f"d{i}", "decimal", {"nb": f"Andel {i}"}) for i in range(K_DECIMAL)]
    items += [Question(f"t{i}", "text", {"nb": f"Kommentar {i}"}) for i in range(K_TEXT)]
    items += [Question(f"dt{i}", "date", {"nb": f"Dato {i}"}) for i in range(K_DATE)]
    skipped = Group("reform", {"nb": "Reform"}, relevant="${s0} > 2", children=tuple(items[1:21]))
    return Instrument(
        form_id="bench",
        title="Benchmark",
        version="1",
        default_language="nb",
        languages=("nb", "en"),
        children=(items[0], skipped, *items[21:]),
        choice_lists=lists,
    )


def responses(inst: Instrument, n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` random cases with skip logic and partials."""
    questions = list(inst.questions())
    block = {q.name for q in inst.children[1].children}  # type: ignore[union-attr]
    start = dt.datetime(2025, 3, 1, 8, tzinfo=dt.UTC)
    out = []
    for case in range(n):
        answers: dict[str, Any] = {}
        partial = rng.random() < 0.1
        stop = rng.randrange(len(questions)) if partial else len(questions)
        for q in questions[:stop]:
            if q.name in block and int(answers.get("s0", "5")) <= 2:
                continue
            if q.type == "select_one":
                answers[q.name] = "dk" if rng.random() < 0.05 else str(rng.randint(1, 5))
            elif q.type == "select_multiple":
                answers[q.name] = " ".join(f"o{i}" for i in range(6) if rng.random() < 0.3)
            elif q.type == "integer":
                answers[q.name] = rng.randint(0, 5000)
            elif q.type == "decimal":
                answers[q.name] = round(rng.random() * 100, 2)
            elif q.type == "text":
                if rng.random() < 0.3:
                    answers[q.name] = " ".join(rng.choices(WORDS, k=rng.randint(3, 30)))
            else:
                answers[q.name] = (
                    f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                )
            if q.name == "s0" and answers[q.name] == "dk":
                answers[q.name] = "1"
        begun = start + dt.timedelta(minutes=case)
        out.append(
            {
                "case_id": f"c{case:06d}",
                "status": "partial" if partial else "complete",
                "disposition": "1.2" if partial else "1.1",
                "answers": answers,
                "relevant": {q.name for q in questions}
                - (block if int(answers.get("s0", "5")) <= 2 else set()),
                "paradata": {
                    "started": begun,
                    "completed": None if partial else begun + dt.timedelta(seconds=900),
                    "language": "nb",
                    "device": rng.choice(["desktop", "phone", "tablet"]),
                },
            }
        )
    return out


def _best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def _peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _stata_peer_frame(frame: pd.DataFrame, date_columns: list[str]) -> pd.DataFrame:
    peer = frame.copy()
    for name in date_columns:
        peer[name] = pd.to_datetime(peer[name])
    for name in peer.columns[peer.dtypes.map(pd.api.types.is_object_dtype)]:
        peer[name] = peer[name].fillna("")
    return peer


def run(quick: bool) -> list[dict[str, Any]]:
    """The export benchmarks (``quick``: 1,000 responses and one repeat)."""
    n, repeats = (1_000, 1) if quick else (10_000, 3)
    inst = instrument()
    cases = responses(inst, n, random.Random(20250301))

    def build() -> tuple[Any, pd.DataFrame]:
        codebook = build_codebook(inst, cases, language="nb")
        return codebook, build_frame(inst, cases, codebook)

    codebook, frame = build()
    k_vars = len(codebook.variables)
    dates = [v.name for v in codebook.variables if v.kind == "date"]
    peer_dta = _stata_peer_frame(frame, dates)
    labels = {v.name: v.label[:80] for v in codebook.variables}
    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        steps: list[tuple[str, Callable[[], Any], str | None, Callable[[], Any] | None]] = [
            ("exports.build", build, None, None),
            (
                "exports.sav",
                lambda: write_sav(frame, codebook, folder / "t.sav"),
                "pyreadstat.write_sav without labels",
                lambda: __import__("pyreadstat").write_sav(frame, str(folder / "p.sav")),
            ),
            (
                "exports.dta",
                lambda: write_dta(frame, codebook, folder / "t.dta"),
                "pandas DataFrame.to_stata",
                lambda: peer_dta.to_stata(
                    folder / "p.dta",
                    write_index=False,
                    version=118,
                    convert_dates=dict.fromkeys(dates, "td"),
                    variable_labels=labels,
                ),
            ),
            (
                "exports.ddi",
                lambda: write_ddi(
                    codebook,
                    folder / "t.xml",
                    study_title="Benchmark",
                    frame_stats=frame_stats(frame, codebook),
                ),
                None,
                None,
            ),
        ]
        for name, ours, peer_name, peer in steps:
            seconds = _best(ours, repeats)
            peer_seconds = _best(peer, repeats) if peer else None
            common = {"n": n, "k_variables": k_vars}
            entries.append(
                {
                    "name": name,
                    "unit": "s",
                    "value": seconds,
                    "peer": peer_name,
                    "peer_value": peer_seconds,
                    **common,
                }
            )
            entries.append(
                {
                    "name": f"{name}.peak_mib",
                    "unit": "MiB",
                    "value": _peak_mib(ours),
                    "peer": None,
                    "peer_value": None,
                    "peer_peak_mib": _peak_mib(peer) if peer else None,
                    "peer_name": peer_name,
                    **common,
                }
            )
    return entries


if __name__ == "__main__":
    for entry in run(quick=True):
        print(entry)
