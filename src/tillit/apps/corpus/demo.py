"""The corpus part of the demo: synthetic documents in nb, nn and da (each marked SYNTHETIC and
``synthetic=True``), screened into evidence, labels by two demo screeners on a shared sample (so
the agreement page shows kappa), and suggested register entries.

The documents are made up (:mod:`tillit.apps.corpus.demo_documents`); they name real
municipalities but say in their first line that nothing in them was written or decided there.
"""

from __future__ import annotations

from typing import Any

from tillit.apps.corpus import review, screening, services
from tillit.apps.corpus.demo_documents import DOCUMENTS

#: How many queue items both demo screeners label, and where the second one disagrees.
SHARED = 14
DISAGREE = {3, 8, 11}


def build(ctx: Any) -> None:
    owner, coder, researcher = ctx.users["owner"], ctx.users["coder"], ctx.users["researcher"]
    n_docs = 0
    for d in DOCUMENTS:
        out = services.do_import_document(
            ctx.project,
            filename=d.filename,
            data=d.text.encode("utf-8"),
            actor=owner,
            meta=services.Metadata(
                municipality=d.code, date=d.date, doc_type=d.doc_type, title=d.title
            ),
            synthetic=True,
        )
        n_docs += out.status == "imported"
    run = screening.screen_project(ctx.project, actor=owner)
    items = review.next_items(ctx.project, coder, n=SHARED, active=False)
    for i, item in enumerate(items):
        decision = "accept" if item.score >= 0.8 or i % 4 else "reject"
        services.do_label_passage(item.passage, item.concept, decision, screener=coder)
        other = decision if i not in DISAGREE else {"accept": "reject"}.get(decision, "accept")
        services.do_label_passage(item.passage, item.concept, other, screener=researcher)
    created = services.do_refresh_suggestions(ctx.project, actor=owner)
    ctx.log(
        f"  synthetic corpus: {n_docs} documents, {run.n_passages} passages, "
        f"{run.n_scores} evidence scores, {2 * len(items)} labels, "
        f"{len(created)} suggestions"
    )
