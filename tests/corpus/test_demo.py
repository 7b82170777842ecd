"""The corpus part of the demo: synthetic documents in nb, nn and da, labelled SYNTHETIC,
screened into evidence, two screeners' labels with a kappa, and suggestions; built fast."""

from __future__ import annotations

import time

import pytest

from tillit.apps.corpus import demo, review
from tillit.apps.corpus.demo_documents import DOCUMENTS
from tillit.apps.corpus.models import Document, Label, PassageScore, Suggestion

pytestmark = pytest.mark.django_db


def test_demo_corpus(project, users):
    from tillit.apps.core.demo import DemoContext

    lines = []
    t0 = time.monotonic()
    demo.build(DemoContext(project, users, lines.append))
    seconds = time.monotonic() - t0
    assert seconds < 5, seconds
    docs = Document.objects.filter(project=project)
    assert docs.count() == len(DOCUMENTS) >= 12
    assert all(d.synthetic and d.title.startswith("SYNTHETIC") for d in docs)
    assert all(d.text.startswith("SYNTETISK DEMODOKUMENT") for d in docs)
    assert set(docs.values_list("lang", flat=True)) == {"nb", "nn", "da"}
    for d in DOCUMENTS:  # each document is identified as the language it is written in
        assert docs.get(filename=d.filename).lang == d.lang, d.filename
    countries = {m[0] for m in docs.values_list("municipality_code")}
    assert any(len(c) == 4 for c in countries) and any(len(c) == 3 for c in countries)
    assert PassageScore.objects.filter(passage__document__project=project).count() > 20
    assert "trackVisitor" not in "".join(docs.values_list("text", flat=True))
    coder = Label.objects.filter(screener=users["coder"]).count()
    assert coder == Label.objects.filter(screener=users["researcher"]).count() >= 10
    agreement = review.agreement(project, users["coder"], users["researcher"])
    assert agreement.overall.kappa is not None and 0 < agreement.overall.kappa < 1
    assert Suggestion.objects.filter(project=project).count() >= 2
    assert lines and "synthetic corpus" in lines[0]
