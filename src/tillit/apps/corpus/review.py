"""Reading side of screening: the review queue (with active learning), the classifier trained on
the project's labels, explanations, and agreement between two screeners (Cohen's kappa).

Nothing here writes; labels are recorded by :func:`services.do_label_passage`.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from tillit.apps.core.models import Project
from tillit.apps.corpus.models import Document, Label, Passage, PassageScore
from tillit.errors import ErrorCode, TillitError

#: How many lexicon candidates the active-learning ranking looks at (best scores first).
POOL = 400
#: Labels needed before the classifier orders the queue (else the lexicon score does).
MIN_LABELS = 6


# ----------------------------------------------------------------------------------------------
# Cohen's kappa


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa for two raters' labels of the same items.

    Notes
    -----
    kappa = (p_o - p_e) / (1 - p_e), with p_o the share of items both raters put in the same
    category and p_e = sum_c p_a(c) p_b(c) the agreement expected from the raters' marginal
    shares. Undefined (None) when p_e = 1 (both raters used one and the same category
    throughout) or when there are no items.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement 20(1), 37-46.
    """
    if len(a) != len(b):
        raise ValueError(f"a and b differ in length ({len(a)} and {len(b)})")
    n = len(a)
    if n == 0:
        return None
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / (n * n)
    if math.isclose(p_e, 1.0):
        return None
    return (p_o - p_e) / (1 - p_e)


@dataclass(frozen=True)
class AgreementRow:
    concept: str  # "" for all concepts together
    n: int
    both_accept: int
    both_reject: int
    only_a: int  # a accepts, b rejects
    only_b: int
    observed: float | None
    kappa: float | None


@dataclass
class Agreement:
    screener_a: str
    screener_b: str
    rows: list[AgreementRow] = field(default_factory=list)
    overall: AgreementRow | None = None

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {
            "screener_a": self.screener_a,
            "screener_b": self.screener_b,
            "concepts": [asdict(r) for r in self.rows],
            "overall": asdict(self.overall) if self.overall else None,
        }


def _row(concept: str, pairs: list[tuple[str, str]]) -> AgreementRow:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    n = len(pairs)
    return AgreementRow(
        concept,
        n,
        sum(x == y == "accept" for x, y in pairs),
        sum(x == y == "reject" for x, y in pairs),
        sum(x == "accept" and y == "reject" for x, y in pairs),
        sum(x == "reject" and y == "accept" for x, y in pairs),
        (sum(x == y for x, y in pairs) / n) if n else None,
        cohen_kappa(a, b),
    )


def agreement(project: Project, a: AbstractBaseUser, b: AbstractBaseUser) -> Agreement:
    """Agreement of screeners ``a`` and ``b`` on the (passage, concept) items both labelled."""
    labels: dict[int, dict[tuple[int, str], str]] = {a.pk: {}, b.pk: {}}
    for pid, concept, decision, uid in Label.objects.filter(
        passage__document__project=project, current=True, screener_id__in=[a.pk, b.pk]
    ).values_list("passage_id", "concept", "decision", "screener_id"):
        labels[uid][(pid, concept)] = decision
    shared = sorted(set(labels[a.pk]) & set(labels[b.pk]))
    by_concept: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in shared:
        by_concept[key[1]].append((labels[a.pk][key], labels[b.pk][key]))
    result = Agreement(a.get_username(), b.get_username())
    result.rows = [_row(c, pairs) for c, pairs in sorted(by_concept.items())]
    result.overall = _row("", [p for pairs in by_concept.values() for p in pairs])
    return result


def screeners(project: Project) -> list[Any]:
    from django.contrib.auth import get_user_model

    ids = (
        Label.objects.filter(passage__document__project=project)
        .values_list("screener_id", flat=True)
        .distinct()
    )
    return list(get_user_model().objects.filter(pk__in=list(ids)).order_by("username"))


# ----------------------------------------------------------------------------------------------
# classifier


def training_set(project: Project) -> tuple[list[int], list[str], list[set[str]]]:
    """Labelled passages (ids, texts, accepted concepts); a concept counts as accepted when more
    current labels accept than reject it."""
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for pid, concept, decision in Label.objects.filter(
        passage__document__project=project, current=True
    ).values_list("passage_id", "concept", "decision"):
        votes[pid][concept] += 1 if decision == "accept" else -1
    ids = sorted(votes)
    texts = passage_texts(ids)
    labels = [{c for c, v in votes[i].items() if v > 0} for i in ids]
    return ids, [texts[i] for i in ids], labels


def passage_texts(ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    rows = Passage.objects.filter(pk__in=list(ids)).values_list("id", "start", "end", "document_id")
    by_doc: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for pid, s, e, did in rows:
        by_doc[did].append((pid, s, e))
    for did, text in Document.objects.filter(pk__in=list(by_doc)).values_list("id", "text"):
        for pid, s, e in by_doc[did]:
            out[pid] = text[s:e]
    return out


_cache: dict[int, tuple[int, Any]] = {}
_lock = threading.Lock()


def trained_classifier(project: Project) -> Any | None:
    """The classifier fitted on the project's current labels (cached until the labelled set
    changes), or None while there are too few labels or only one class."""
    if Label.objects.filter(passage__document__project=project, current=True).count() < MIN_LABELS:
        return None
    ids, texts, labels = training_set(project)
    key = hash((tuple(ids), tuple(frozenset(x) for x in labels), tuple(map(hash, texts))))
    with _lock:
        hit = _cache.get(project.pk)
        if hit is not None and hit[0] == key:
            return hit[1]
    positives = sum(bool(x) for x in labels)
    model = None
    if len(texts) >= MIN_LABELS and 0 < positives < len(texts):
        from tillit.text.classify import ConceptClassifier

        try:
            with warnings.catch_warnings():  # concepts with too few labels are left out
                warnings.simplefilter("ignore", UserWarning)
                model = ConceptClassifier().fit(texts, labels)
        except (ValueError, TillitError):  # no concept has enough positives yet
            model = None
    with _lock:
        _cache[project.pk] = (key, model)
    return model


# ----------------------------------------------------------------------------------------------
# the queue


@dataclass(frozen=True)
class QueueItem:
    passage: Passage
    concept: str
    score: float
    terms: list[dict[str, Any]]
    probability: float | None = None
    order: str = "lexicon"  # or "active"


def candidates(
    project: Project,
    screener: AbstractBaseUser,
    *,
    concept: str | None = None,
    exclude: set[tuple[int, str]] | None = None,
) -> list[PassageScore]:
    """Lexicon hits the screener has not labelled (or skipped) yet, best scores first."""
    done = set(
        Label.objects.filter(
            passage__document__project=project, screener=screener, current=True
        ).values_list("passage_id", "concept")
    ) | (exclude or set())
    qs = PassageScore.objects.filter(
        passage__document__project=project, passage__document__status=Document.Status.OK
    )
    if concept:
        qs = qs.filter(concept=concept)
    out = []
    for ps in qs.order_by("-score", "passage_id", "concept").select_related("passage")[
        : POOL + len(done)
    ]:
        if (ps.passage_id, ps.concept) not in done:
            out.append(ps)
        if len(out) >= POOL:
            break
    return out


def next_items(
    project: Project,
    screener: AbstractBaseUser,
    *,
    n: int = 1,
    concept: str | None = None,
    active: bool = True,
    exclude: set[tuple[int, str]] | None = None,
) -> list[QueueItem]:
    """The next ``n`` items for ``screener``: most informative first when the classifier can be
    trained (active learning), else the best lexicon scores. ``exclude``: (passage id, concept)
    pairs skipped for now."""
    pool = candidates(project, screener, concept=concept, exclude=exclude)
    if not pool:
        return []
    model = trained_classifier(project) if active else None
    order = list(range(len(pool)))
    probs: dict[int, float] = {}
    how = "lexicon"
    if model is not None:
        texts_by_id = passage_texts([ps.passage_id for ps in pool])
        texts = [texts_by_id[ps.passage_id] for ps in pool]
        ranked = list(model.most_informative(texts, n=len(texts)))
        seen = set(ranked)
        order = ranked + [i for i in order if i not in seen]
        frame = model.predict_proba(texts)
        for i, ps in enumerate(pool):
            if ps.concept in frame.columns:
                probs[i] = float(frame.iloc[i][ps.concept])
        how = "active"
    items = []
    for i in order[:n]:
        ps = pool[i]
        items.append(QueueItem(ps.passage, ps.concept, ps.score, ps.terms, probs.get(i), how))
    return items


def explain(project: Project, passage: Passage, concept: str) -> dict[str, Any]:
    """Why the passage scores for the concept: the lexicon's matched terms, and the classifier's
    probability and strongest features when it can be trained."""
    score = PassageScore.objects.filter(passage=passage, concept=concept).first()
    out: dict[str, Any] = {
        "concept": concept,
        "lexicon_score": score.score if score else 0.0,
        "matched_terms": sorted({t["term"] for t in (score.terms if score else [])}),
        "probability": None,
        "features": [],
    }
    model = trained_classifier(project)
    if model is None:
        return out
    text = passage.document.text[passage.start : passage.end]
    try:
        ex = model.explain(text, concept)
    except (KeyError, ValueError, TillitError):  # a concept with too few labels to learn
        return out
    out["probability"] = float(ex.probability)
    out["features"] = [_feature(f) for f in ex.features]
    out["matched_terms"] = sorted(set(out["matched_terms"]) | set(ex.terms()))
    return out


def _feature(f: Any) -> dict[str, Any]:
    if isinstance(f, dict):
        return {
            "feature": str(f.get("feature", f.get("name", ""))),
            "weight": float(f.get("weight", 0)),
        }
    if isinstance(f, tuple | list) and len(f) >= 2:
        return {"feature": str(f[0]), "weight": float(f[1])}
    return {"feature": str(f), "weight": 0.0}


def evaluate(
    project: Project, *, folds: int = 5, seed: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Cross-validated precision, recall, F1 and support per concept on the project's labels."""
    _ids, texts, labels = training_set(project)
    if len(texts) < max(folds, MIN_LABELS):
        raise TillitError(
            f"Only {len(texts)} labelled passages; at least {max(folds, MIN_LABELS)} are needed.",
            ErrorCode.CONFLICT,
            hint="Label more passages in the review queue first.",
        )
    from tillit.text.classify import cross_validate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        frame = cross_validate(texts, labels, folds=folds, seed=seed)
    frame = frame.reset_index()
    if "concept" not in frame.columns:
        frame = frame.rename(columns={frame.columns[0]: "concept"})
    rows = []
    for rec in frame.to_dict("records"):
        rows.append(
            {
                "concept": str(rec["concept"]),
                **{
                    k: (None if rec.get(k) is None or rec[k] != rec[k] else float(rec[k]))
                    for k in ("precision", "recall", "f1")
                },
                "support": int(rec.get("support", 0) or 0),
            }
        )
    return len(texts), rows
