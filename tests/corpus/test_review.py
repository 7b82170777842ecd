"""Review: labels with history, relabel, the queue, Cohen's kappa (hand-computed and against
scikit-learn), the classifier's active-learning order and evaluation, and suggestions that a
reviewer confirms into the register or rejects."""

from __future__ import annotations

import pytest

from tillit.apps.corpus import review, services
from tillit.apps.corpus.models import Label, PassageScore, Suggestion
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------------------------
# kappa


def test_kappa_hand_computed_example():
    # 10 items: both accept 4, both reject 3, A accept/B reject 2, A reject/B accept 1.
    # p_o = 7/10; A accepts 6/10, B accepts 5/10; p_e = .6*.5 + .4*.5 = .5
    # kappa = (.7 - .5) / (1 - .5) = 0.4
    a = ["accept"] * 4 + ["reject"] * 3 + ["accept"] * 2 + ["reject"]
    b = ["accept"] * 4 + ["reject"] * 3 + ["reject"] * 2 + ["accept"]
    assert review.cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_kappa_matches_scikit_learn(seed):
    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    a = rng.choice(["accept", "reject"], size=40, p=[0.3 + seed / 20, 0.7 - seed / 20])
    b = np.where(rng.random(40) < 0.75, a, rng.choice(["accept", "reject"], size=40))
    assert review.cohen_kappa(list(a), list(b)) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_kappa_is_undefined_when_both_always_say_the_same():
    assert review.cohen_kappa(["accept"] * 5, ["accept"] * 5) is None
    assert review.cohen_kappa([], []) is None
    with pytest.raises(ValueError, match="differ in length"):
        review.cohen_kappa(["accept"], [])


# ----------------------------------------------------------------------------------------------
# labels and the queue


def test_relabel_keeps_history_and_one_current_label(project, users, screened):
    ps = PassageScore.objects.filter(concept="measure.trust_reform").first()
    coder = users["coder"]
    services.do_label_passage(ps.passage, ps.concept, "accept", screener=coder)
    services.do_label_passage(ps.passage, ps.concept, "reject", screener=coder)
    rows = Label.objects.filter(passage=ps.passage, concept=ps.concept, screener=coder)
    assert rows.count() == 2
    assert list(rows.filter(current=True).values_list("decision", flat=True)) == ["reject"]

    services.do_relabel_passage(ps.passage, ps.concept, "measure.reform_decision", screener=coder)
    current = dict(
        Label.objects.filter(passage=ps.passage, screener=coder, current=True).values_list(
            "concept", "decision"
        )
    )
    assert current == {"measure.trust_reform": "reject", "measure.reform_decision": "accept"}


def test_labels_check_the_concept_and_decision(project, users, screened):
    ps = PassageScore.objects.first()
    with pytest.raises(TillitError, match="not in the taxonomy"):
        services.do_label_passage(ps.passage, "no.such.concept", "accept", screener=users["coder"])
    with pytest.raises(TillitError, match="Decision"):
        services.do_label_passage(ps.passage, ps.concept, "maybe", screener=users["coder"])


def test_queue_gives_unlabelled_hits_best_first_per_screener(project, users, screened):
    coder, researcher = users["coder"], users["researcher"]
    items = review.next_items(project, coder, n=100)
    n_hits = PassageScore.objects.filter(passage__document__project=project).count()
    assert len(items) == n_hits
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)
    first = items[0]
    services.do_label_passage(first.passage, first.concept, "accept", screener=coder)
    after = review.next_items(project, coder, n=100)
    assert len(after) == n_hits - 1
    assert (first.passage.pk, first.concept) not in {(i.passage.pk, i.concept) for i in after}
    assert len(review.next_items(project, researcher, n=100)) == n_hits  # own queue


def test_agreement_between_two_screeners_per_concept(project, users, screened):
    coder, researcher = users["coder"], users["researcher"]
    items = review.next_items(project, coder, n=8)
    decisions_a = ["accept", "accept", "reject", "accept", "reject", "accept", "accept", "reject"]
    decisions_b = ["accept", "reject", "reject", "accept", "reject", "accept", "reject", "reject"]
    for item, da, db in zip(items, decisions_a, decisions_b, strict=False):
        services.do_label_passage(item.passage, item.concept, da, screener=coder)
        services.do_label_passage(item.passage, item.concept, db, screener=researcher)
    n = len(items)
    result = review.agreement(project, coder, researcher)
    assert result.overall.n == n
    assert result.overall.kappa == pytest.approx(
        review.cohen_kappa(decisions_a[:n], decisions_b[:n])
    )
    assert sum(r.n for r in result.rows) == n
    assert {r.concept for r in result.rows} == {i.concept for i in items}


# ----------------------------------------------------------------------------------------------
# suggestions and the register


def test_suggestions_for_municipalities_with_evidence_and_no_initiative(project, users, screened):
    from tillit.apps.mapping.services import do_create_initiative, initiatives_for

    do_create_initiative(project, municipality_code="461", title="Known", actor=users["owner"])
    created = services.do_refresh_suggestions(project, actor=users["owner"])
    assert sorted(s.municipality_code for s in created) == ["3405", "4621"]
    assert services.do_refresh_suggestions(project, actor=users["owner"]) == []  # no duplicates

    voss = Suggestion.objects.get(municipality_code="4621")
    services.do_confirm_suggestion(voss, actor=users["researcher"], title="Tillitsreform i Voss")
    voss.refresh_from_db()
    assert voss.state == "confirmed" and voss.initiative_id
    initiative = initiatives_for(project, "4621").get()
    assert initiative.pk == voss.initiative_id and initiative.title == "Tillitsreform i Voss"
    ev = list(initiative.evidence.all())
    assert ev and all(e.kind == "passage" for e in ev)
    for e in ev:
        doc = project.documents.get(sha256=e.ref)
        assert doc.text[e.start : e.end] == e.quote

    lille = Suggestion.objects.get(municipality_code="3405")
    services.do_reject_suggestion(lille, actor=users["researcher"], note="Only a plan")
    with pytest.raises(TillitError, match="already rejected"):
        services.do_confirm_suggestion(lille, actor=users["researcher"])
    assert services.do_refresh_suggestions(project, actor=users["owner"]) == []


def test_rejected_evidence_does_not_make_a_suggestion(project, users, screened):
    for ps in PassageScore.objects.filter(concept=services.SUGGESTION_CONCEPT).select_related(
        "passage__document"
    ):
        if ps.passage.document.municipality_code == "4621":
            services.do_label_passage(ps.passage, ps.concept, "reject", screener=users["coder"])
    created = services.do_refresh_suggestions(project, actor=users["owner"])
    assert "4621" not in {s.municipality_code for s in created}


# ----------------------------------------------------------------------------------------------
# classifier: active learning, explanations, evaluation


def _label_some(project, users, n=10):
    items = review.next_items(project, users["coder"], n=n, active=False)
    for i, item in enumerate(items):
        decision = "accept" if item.concept == "measure.trust_reform" or i % 3 == 0 else "reject"
        services.do_label_passage(item.passage, item.concept, decision, screener=users["coder"])
    return items


def test_the_classifier_orders_the_queue_once_there_are_labels(project, users, demo_corpus):
    assert review.next_items(project, users["researcher"], n=1)[0].order == "lexicon"
    _label_some(project, users, n=16)
    items = review.next_items(project, users["researcher"], n=50)
    assert items and all(i.order == "active" for i in items)
    assert any(i.probability is not None for i in items if i.concept == "measure.trust_reform")
    model = review.trained_classifier(project)
    assert model is not None and review.trained_classifier(project) is model  # cached
    texts = review.passage_texts([i.passage.pk for i in items])
    pool = [texts[i.passage.pk] for i in items]
    assert items[0].passage.pk == items[model.most_informative(pool, n=1)[0]].passage.pk

    item = next(i for i in items if i.concept == "measure.trust_reform")
    why = review.explain(project, item.passage, item.concept)
    assert why["matched_terms"] and why["lexicon_score"] > 0.5
    assert 0 <= why["probability"] <= 1 and why["features"]
    assert {"feature", "weight"} <= set(why["features"][0])
    unlearned = next(i for i in items if i.concept not in model.predict_proba(["x"]).columns)
    why = review.explain(project, unlearned.passage, unlearned.concept)
    assert why["probability"] is None and why["matched_terms"]


def test_evaluation_reports_precision_recall_f1_per_concept(project, users, demo_corpus):
    with pytest.raises(TillitError, match="labelled passages"):
        review.evaluate(project)
    _label_some(project, users, n=30)
    n, rows = review.evaluate(project, folds=2)
    assert n >= 6
    for r in rows:
        assert set(r) == {"concept", "precision", "recall", "f1", "support"}
        for k in ("precision", "recall", "f1"):
            assert r[k] is None or 0 <= r[k] <= 1
    ev = services.do_record_evaluation(project, rows, n_labelled=n, folds=2, actor=users["owner"])
    assert ev.rows == rows
