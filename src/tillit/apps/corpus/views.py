"""Corpus pages: upload, browser, document view with highlighted evidence, review queue,
agreement between screeners, classifier evaluation, suggestions.

Views are thin: a form parses, :mod:`tillit.apps.core.access` decides (404 for non-members, 403
for a role without the right: viewer reads, coder+ labels, researcher+ imports, screens and
confirms), a service writes, a template renders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit import registry
from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.apps.corpus import importing, review, screening, services
from tillit.apps.corpus.forms import AgreementForm, DecideForm, FilterForm, LabelForm, UploadForm
from tillit.apps.corpus.highlight import Span, segments
from tillit.apps.corpus.models import (
    Document,
    Evaluation,
    Label,
    Passage,
    PassageScore,
    ScreeningRun,
    Suggestion,
)
from tillit.errors import TillitError

PAGE_SIZE = 100


def _render(request: HttpRequest, template: str, pa: ProjectAccess, **ctx: Any) -> HttpResponse:
    base = {
        "pa": pa,
        "project": pa.project,
        "nav": "projects",
        "synthetic": pa.project.is_synthetic,
    }
    return render(request, template, {**base, **ctx})


def concept_label(concept: str) -> str:
    from tillit.apps.core.views_taxonomy import ui_language
    from tillit.taxonomy import load_taxonomy

    tax = load_taxonomy()
    c = tax.concepts.get(concept)
    return c.label(ui_language(tax)) if c is not None else concept


def _municipality_name(code: str) -> str:
    if not code:
        return ""
    try:
        return registry.get(code).name
    except Exception:
        return code


# ----------------------------------------------------------------------------------------------
# browser and upload


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    form = FilterForm(request.GET or None)
    docs = Document.objects.filter(project=pa.project).defer("text")
    if form.is_valid():
        f = form.cleaned_data
        if f["municipality"]:
            try:
                docs = docs.filter(municipality_code=services.clean_municipality(f["municipality"]))
            except TillitError as exc:
                form.add_error("municipality", exc.message)
                docs = docs.none()
        for key in ("lang", "doc_type", "status"):
            if f[key]:
                docs = docs.filter(**{key: f[key]})
        if f["q"]:
            docs = docs.filter(Q(title__icontains=f["q"]) | Q(filename__icontains=f["q"]))
    all_docs = Document.objects.filter(project=pa.project)
    counts = {
        "total": all_docs.count(),
        "by_status": dict(all_docs.values_list("status").annotate(n=Count("id"))),
        "by_lang": sorted(all_docs.values_list("lang").annotate(n=Count("id"))),
        "by_type": sorted(all_docs.values_list("doc_type").annotate(n=Count("id"))),
        "evidence": PassageScore.objects.filter(passage__document__project=pa.project).count(),
    }
    docs = docs.annotate(n_scores=Count("passages__scores")).order_by("-imported_at", "-id")
    page = Paginator(docs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(d, _municipality_name(d.municipality_code)) for d in page]
    query = request.GET.copy()
    query.pop("page", None)
    run = ScreeningRun.objects.filter(project=pa.project).first()
    flagged = all_docs.filter(status=Document.Status.FLAGGED).defer("text")[:100]
    by_muni = (
        all_docs.exclude(municipality_code="")
        .values("municipality_code")
        .annotate(n=Count("id", distinct=True), n_ev=Count("passages__scores"))
        .order_by("municipality_code")
    )
    munis = [{**m, "name": _municipality_name(m["municipality_code"])} for m in by_muni[:500]]
    return _render(
        request,
        "corpus/index.html",
        pa,
        form=form,
        rows=rows,
        counts=counts,
        run=run,
        flagged=flagged,
        munis=munis,
        page=page,
        query=query.urlencode(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    form = UploadForm(request.POST or None, request.FILES or None)
    outcomes: list[services.ImportOutcome] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            outcomes = _run_upload(pa, d, request.user)
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
        else:
            counts = importing.summarise(outcomes)
            messages.success(
                request,
                _(
                    "%(imported)d imported, %(flagged)d flagged, %(duplicate)d duplicates, "
                    "%(failed)d failed."
                )
                % counts,
            )
    return _render(request, "corpus/upload.html", pa, form=form, outcomes=outcomes)


def _run_upload(pa: ProjectAccess, d: dict[str, Any], user: Any) -> list[services.ImportOutcome]:
    defaults = services.Metadata(
        municipality=d["municipality"], date=d["date"] or None, doc_type=d["doc_type"],
        title=d["title"],
    )  # fmt: skip
    defaults.checked()
    manifest_rows = []
    if d.get("manifest"):
        manifest_rows = importing.read_manifest(d["manifest"].read(), where=d["manifest"].name)
    urls = importing.read_url_list(d["urls"].encode())
    items = [importing.Item(f.name, data=f.read()) for f in d["files"]]
    items += [importing.Item(u, url=u) for u in urls]
    items += [  # a manifest's addresses (its file names only describe the uploaded files)
        i for i in importing.items_from_manifest(manifest_rows, None) if i.url and i.url not in urls
    ]
    importer = importing.Importer(
        pa.project,
        user,
        defaults,
        manifest=importing.manifest_lookup(manifest_rows) if manifest_rows else None,
        ocr=d["ocr"],
        allow_private=False,  # users' URLs must not reach the server's own network
    )
    return importer.run(items)


# ----------------------------------------------------------------------------------------------
# documents


def _scores_for(doc: Document) -> list[PassageScore]:
    return list(
        PassageScore.objects.filter(passage__document=doc)
        .select_related("passage")
        .order_by("passage__index", "concept")
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
def document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    doc = get_object_or_404(Document, project=pa.project, pk=pk)
    scores = _scores_for(doc)
    labels = {}
    spans = []
    for ps in scores:
        label = concept_label(ps.concept)
        labels[ps.concept] = label
        for t in ps.terms:
            spans.append(Span(int(t["start"]), int(t["end"]), label))
    start, end = _int(request.GET.get("start")), _int(request.GET.get("end"))
    target = None
    if start is not None and end is not None and 0 <= start < end <= len(doc.text):
        spans.append(Span(start, end, "", True))
        target = {"start": start, "end": end, "text": doc.text[start:end]}
    evidence = [
        {
            "ps": ps,
            "label": labels[ps.concept],
            "link": "?" + urlencode({"start": ps.passage.start, "end": ps.passage.end}) + "#span",
        }
        for ps in scores
    ]
    return _render(
        request,
        "corpus/document.html",
        pa,
        doc=doc,
        segments=segments(doc.text, spans),
        evidence=evidence,
        target=target,
        municipality=_municipality_name(doc.municipality_code),
        n_passages=doc.passages.count(),
    )


@login_required
@require_POST
def reextract(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    doc = get_object_or_404(Document, project=pa.project, pk=pk)
    try:
        doc = services.do_reextract_document(doc, actor=request.user, ocr=True)
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
    else:
        if doc.status == Document.Status.OK:
            messages.success(request, _("The text was extracted again; screen it anew."))
        else:
            messages.error(request, _("Still flagged: %(reason)s.") % {"reason": doc.flag_reason})
    return redirect("corpus:document", slug=slug, pk=pk)


@login_required
def by_hash(request: HttpRequest, slug: str, sha256: str) -> HttpResponse:
    """The document with this content hash (register evidence links here); ``?start=&end=``
    is kept and the page scrolls to the highlighted span."""
    pa = access.get_project_for_user(request.user, slug)
    doc = Document.objects.filter(project=pa.project, sha256=sha256.lower()).only("pk").first()
    if doc is None:
        raise Http404("No such document.")
    url = reverse("corpus:document", args=[slug, doc.pk])
    query = {k: request.GET[k] for k in ("start", "end") if k in request.GET}
    if query:
        url += "?" + urlencode(query) + "#span"
    return HttpResponseRedirect(url)


@login_required
def municipality(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    try:
        m = registry.get(code)
    except TillitError as exc:
        raise Http404(str(exc)) from exc
    scores = (
        PassageScore.objects.filter(
            passage__document__project=pa.project, passage__document__municipality_code=m.code
        )
        .select_related("passage__document")
        .defer("passage__document__text")
        .order_by("passage__document_id", "passage__index", "concept")[:1000]
    )
    texts = dict(
        Document.objects.filter(pk__in={ps.passage.document_id for ps in scores}).values_list(
            "id", "text"
        )
    )
    rows = []
    for ps in scores:
        p = ps.passage
        rows.append(
            {
                "ps": ps,
                "label": concept_label(ps.concept),
                "quote": texts[p.document_id][p.start : p.end],
                "link": reverse("corpus:by-hash", args=[slug, p.document.sha256])
                + "?"
                + urlencode({"start": p.start, "end": p.end}),
            }
        )
    docs = Document.objects.filter(project=pa.project, municipality_code=m.code).defer("text")
    return _render(request, "corpus/municipality.html", pa, m=m, rows=rows, docs=docs)


# ----------------------------------------------------------------------------------------------
# screening


@login_required
@require_POST
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    try:
        run = screening.screen_project(pa.project, actor=request.user)
        services.do_refresh_suggestions(pa.project, actor=request.user)
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
    else:
        messages.success(
            request,
            _("Screened %(done)d documents (%(skipped)d already screened).")
            % {"done": run.done, "skipped": run.skipped},
        )
    return redirect("corpus:index", slug=slug)


# ----------------------------------------------------------------------------------------------
# review queue


def _concept_choices() -> list[tuple[str, str]]:
    from tillit.text.lexicon import load_lexicon

    return [(c, concept_label(c)) for c in load_lexicon().concepts()]


@login_required
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="code")
    concept = request.GET.get("concept") or None
    if request.method == "POST":
        return _label(request, pa, slug)
    skipped = _skipped(request, pa)
    active = request.GET.get("order") != "lexicon"  # lexicon order: the same for everyone
    items = review.next_items(
        pa.project, request.user, concept=concept, exclude=skipped, active=active
    )
    if not items and skipped:  # every remaining item was skipped: start the round again
        request.session.pop(_skip_key(pa), None)
        items = review.next_items(pa.project, request.user, concept=concept, active=active)
    item = items[0] if items else None
    ctx: dict[str, Any] = {
        "item": item,
        "concept": concept,
        "choices": _concept_choices(),
        "lexicon_order": not active,
    }
    if item is not None:
        p = item.passage
        doc = p.document
        spans = [
            Span(int(t["start"]), int(t["end"]), concept_label(item.concept)) for t in item.terms
        ]
        text = doc.text[p.start : p.end]
        shifted = [Span(s.start - p.start, s.end - p.start, s.label) for s in spans]
        ctx.update(
            segments=segments(text, shifted),
            label=concept_label(item.concept),
            explanation=review.explain(pa.project, p, item.concept),
            doc=doc,
            municipality=_municipality_name(doc.municipality_code),
            doc_link=reverse("corpus:by-hash", args=[slug, doc.sha256])
            + "?"
            + urlencode({"start": p.start, "end": p.end}),
        )
    ctx["n_labelled"] = Label.objects.filter(
        passage__document__project=pa.project, screener=request.user, current=True
    ).count()
    ctx["recent"] = (
        Label.objects.filter(passage__document__project=pa.project, screener=request.user)
        .select_related("passage__document")
        .order_by("-id")[:5]
    )
    return _render(request, "corpus/review.html", pa, **ctx)


def _skip_key(pa: ProjectAccess) -> str:
    return f"corpus-skipped-{pa.project.pk}"


def _skipped(request: HttpRequest, pa: ProjectAccess) -> set[tuple[int, str]]:
    return {(int(p), str(c)) for p, c in request.session.get(_skip_key(pa), [])}


def _label(request: HttpRequest, pa: ProjectAccess, slug: str) -> HttpResponse:
    form = LabelForm(request.POST)
    back = reverse("corpus:review", args=[slug])
    kept = {k: request.GET[k] for k in ("concept", "order") if request.GET.get(k)}
    if kept:
        back += "?" + urlencode(kept)
    if not form.is_valid():
        messages.error(request, _("The label could not be read; try again."))
        return HttpResponseRedirect(back)
    d = form.cleaned_data
    passage = get_object_or_404(Passage, pk=d["passage"], document__project=pa.project)
    try:
        if d["action"] in ("accept", "reject"):
            services.do_label_passage(passage, d["concept"], d["action"], screener=request.user)
        elif d["action"] == "relabel":
            if not d["to_concept"]:
                messages.error(request, _("Choose the concept the passage is evidence for."))
                return HttpResponseRedirect(back)
            services.do_relabel_passage(
                passage, d["concept"], d["to_concept"], screener=request.user
            )
        else:  # skip: nothing is recorded; the item comes back after the others
            key = _skip_key(pa)
            request.session[key] = [
                *request.session.get(key, [])[-500:],
                [passage.pk, d["concept"]],
            ]
            return HttpResponseRedirect(back)
    except TillitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Recorded: %(action)s %(concept)s for passage %(id)d.")
            % {"action": d["action"], "concept": concept_label(d["concept"]), "id": passage.pk},
        )
    return HttpResponseRedirect(back)


# ----------------------------------------------------------------------------------------------
# agreement, classifier, suggestions


@login_required
def agreement(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    people = review.screeners(pa.project)
    names = [u.get_username() for u in people]
    initial = {"a": names[0], "b": names[1]} if len(names) >= 2 else {}
    form = AgreementForm(request.GET or initial or None, names=names)
    result, rows = None, []
    if len(names) >= 2 and form.is_valid():
        users = get_user_model().objects.in_bulk(names, field_name="username")
        result = review.agreement(
            pa.project, users[form.cleaned_data["a"]], users[form.cleaned_data["b"]]
        )
        rows = [(r, concept_label(r.concept)) for r in result.rows]
    return _render(
        request, "corpus/agreement.html", pa, form=form, result=result, rows=rows, names=names
    )


@login_required
@require_http_methods(["GET", "POST"])
def classifier(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need=_need(request))
    if request.method == "POST":
        try:
            n, rows = review.evaluate(pa.project)
            services.do_record_evaluation(
                pa.project, rows, n_labelled=n, folds=5, actor=request.user
            )
        except TillitError as exc:
            messages.error(request, f"{exc.message} {exc.hint}".strip())
        return redirect("corpus:classifier", slug=slug)
    ev = Evaluation.objects.filter(project=pa.project).first()
    rows = [{**r, "label": concept_label(r["concept"])} for r in (ev.rows if ev else [])]
    return _render(request, "corpus/classifier.html", pa, evaluation=ev, rows=rows)


def _need(request: HttpRequest) -> str:
    return "edit" if request.method == "POST" else "view"


@login_required
@require_http_methods(["GET", "POST"])
def suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need=_need(request))
    if request.method == "POST":
        created = services.do_refresh_suggestions(pa.project, actor=request.user)
        messages.success(request, _("%(n)d new suggestions.") % {"n": len(created)})
        return redirect("corpus:suggestions", slug=slug)
    rows = []
    for s in Suggestion.objects.filter(project=pa.project).prefetch_related("passages__document"):
        passages = sorted(s.passages.all(), key=lambda p: (p.document_id, p.index))
        rows.append(
            {
                "s": s,
                "name": _municipality_name(s.municipality_code),
                "concepts": [concept_label(c) for c in s.concepts],
                "evidence": [
                    {
                        "quote": p.document.text[p.start : p.end],
                        "doc": p.document,
                        "link": reverse("corpus:by-hash", args=[slug, p.document.sha256])
                        + "?"
                        + urlencode({"start": p.start, "end": p.end}),
                    }
                    for p in passages[:5]
                ],
                "more": max(0, len(passages) - 5),
            }
        )
    return _render(request, "corpus/suggestions.html", pa, rows=rows, form=DecideForm())


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    s = get_object_or_404(Suggestion, project=pa.project, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or reject."))
        return redirect("corpus:suggestions", slug=slug)
    d = form.cleaned_data
    try:
        if d["action"] == "confirm":
            services.do_confirm_suggestion(s, actor=request.user, title=d["title"], note=d["note"])
            messages.success(request, _("Confirmed: the register has a new initiative."))
        else:
            services.do_reject_suggestion(s, actor=request.user, note=d["note"])
            messages.success(request, _("Rejected."))
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
    return redirect("corpus:suggestions", slug=slug)
