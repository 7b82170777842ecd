"""Pages of the qda module: sources, coding, codebook, memos, cases, settings.

Views are thin: a form parses, :mod:`tillit.apps.qda.access` decides (404 for non-members and
for sources a restricted coder may not see, 403 for a role without the right), one service
writes, a template renders. Analysis pages (search, autocoding, queries, reliability, REFI-QDA)
are in :mod:`tillit.apps.qda.views_analysis`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.core.access import ProjectAccess
from tillit.apps.core.models import Membership
from tillit.apps.qda import access, rendering, services, services_codebook, services_exchange
from tillit.apps.qda.forms import (
    AssignForm,
    CaseAssignForm,
    CaseForm,
    CodeForm,
    MemoForm,
    MergeForm,
    MoveForm,
    PseudonymiseForm,
    QdcImportForm,
    SettingsForm,
    SourceImportForm,
    SourceMetaForm,
    SplitForm,
    attributes_text,
)
from tillit.apps.qda.models import (
    Case,
    CaseAssignment,
    Code,
    CodeHistory,
    Coding,
    Memo,
    PseudonymKey,
    Source,
)
from tillit.errors import TillitError

User = get_user_model()
#: Codings listed beside a source's text (all are highlighted in the text).
MAX_LISTED = 400


def render_qda(
    request: HttpRequest, template: str, pa: ProjectAccess, tab: str, **ctx: Any
) -> HttpResponse:
    base = {
        "pa": pa,
        "project": pa.project,
        "nav": "projects",
        "tab": tab,
        "synthetic": pa.project.is_synthetic,
        "can_edit": pa.role.can_edit(),
        "can_code": pa.role.can_code(),
        "is_owner": access.can_see_pseudonym_keys(pa),
    }
    return render(request, template, {**base, **ctx})


def _need(request: HttpRequest, write: str = "edit") -> str:
    return write if request.method == "POST" else "view"


def _next(request: HttpRequest) -> str:
    """The ``next`` address of a form, if it stays on this site (no open redirect)."""
    target = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok and target.startswith("/") else ""


def _error(form: Any, exc: TillitError) -> None:
    form.add_error(None, f"{exc.message} {exc.hint}".strip())


def code_tree(project: Any) -> list[tuple[Code, int]]:
    """``(code, depth)`` in tree order."""
    codes = list(Code.objects.filter(project=project).order_by("order", "name", "id"))
    kids: dict[int | None, list[Code]] = {}
    for c in codes:
        kids.setdefault(c.parent_id, []).append(c)
    out: list[tuple[Code, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in kids.get(parent, []):
            out.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def code_choices(project: Any, exclude: int | None = None) -> list[tuple[str, str]]:
    return [(str(c.pk), "\u2003" * d + c.name) for c, d in code_tree(project) if c.pk != exclude]


def _members(project: Any) -> list[tuple[str, str]]:
    return [
        (str(m.user_id), f"{m.user.get_username()} ({m.role})")
        for m in Membership.objects.filter(project=project).select_related("user")
    ]


# ----------------------------------------------------------------------------------------------
# sources


def _meta(d: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "kind",
        "actor_type",
        "organisation",
        "municipality_code",
        "country",
        "language",
        "date",
        "interviewer",
        "consent",
        "description",
    )
    return {k: d.get(k) if d.get(k) is not None else "" for k in keys if k in d} | (
        {"name": d["name"]} if d.get("name") else {}
    )


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest, slug: str) -> HttpResponse:
    """Sources list and the import form."""
    pa = access.get_project(request.user, slug, need=_need(request))
    form = SourceImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        meta = _meta(d)
        meta["date"] = d["date"]
        try:
            source = services.do_import_source(
                pa.project,
                d["file"].name,
                d["file"].read(),
                actor=request.user,
                transcript=d["transcript"],
                **meta,
            )
        except TillitError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Source imported."))
            return redirect("qda:source", slug=slug, pk=source.pk)
    sources = (
        access.visible_sources(pa, request.user)
        .annotate(n_codings=Count("codings"))
        .defer("text")
        .order_by("name", "id")
    )
    return render_qda(
        request,
        "qda/index.html",
        pa,
        "sources",
        form=form,
        sources=sources,
        restricted=access.restricted(pa),
    )


def _layer(request: HttpRequest, pa: ProjectAccess, source: Source) -> dict[str, Any]:
    """Which codings to show: mine, one coder's, or a comparison of two coders."""
    coders = list(User.objects.filter(qda_codings__source=source).distinct().order_by("username"))
    if request.user not in coders:
        coders.insert(0, request.user)
    layer = request.GET.get("layer", "mine")
    qs = Coding.objects.filter(source=source).select_related("code", "coder")
    if layer.startswith("compare:"):
        try:
            a_id, b_id = (int(x) for x in layer.split(":")[1:3])
        except ValueError:
            a_id = b_id = 0
        a = next((u for u in coders if u.pk == a_id), None)
        b = next((u for u in coders if u.pk == b_id), None)
        if a is not None and b is not None:
            first = [(c.start, c.end, c.code_id) for c in qs if c.coder_id == a.pk]
            second = [(c.start, c.end, c.code_id) for c in qs if c.coder_id == b.pk]
            return {
                "layer": layer,
                "mode": "compare",
                "coder_a": a,
                "coder_b": b,
                "coders": coders,
                "pieces": rendering.compare_pieces(source.text, first, second),
                "codings": [c for c in qs if c.coder_id in (a.pk, b.pk)],
            }
    coder = request.user
    if layer.startswith("coder:"):
        try:
            coder = next(u for u in coders if u.pk == int(layer.split(":")[1]))
        except (StopIteration, ValueError):
            coder = request.user
    mine = [c for c in qs if c.coder_id == coder.pk]
    return {
        "layer": layer if coder != request.user else "mine",
        "mode": "mine" if coder == request.user else "coder",
        "coder": coder,
        "coders": coders,
        "pieces": rendering.coded_pieces(source.text, [(c.start, c.end, c.code_id) for c in mine]),
        "codings": mine,
    }


@login_required
def source_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The coding page: the text with codings, the code panel, codings list and memos."""
    pa = access.get_project(request.user, slug)
    source = access.get_source(pa, request.user, pk)
    layer = _layer(request, pa, source)
    layer["text_html"] = rendering.to_html(layer.pop("pieces"))
    layer["codings_total"] = len(layer["codings"])
    layer["codings"] = layer["codings"][:MAX_LISTED]
    tree = code_tree(pa.project)
    codable = [c for c, _ in tree if c.is_codable]
    keys = {c.pk: str(n + 1) for n, c in enumerate(codable[:9])}
    memos = Memo.objects.filter(source=source) | Memo.objects.filter(coding__source=source)
    return render_qda(
        request,
        "qda/source.html",
        pa,
        "sources",
        source=source,
        tree=[(c, d, keys.get(c.pk, "")) for c, d in tree],
        memos=memos.select_related("author", "coding__code").order_by("-updated_at"),
        memo_form=MemoForm(),
        segments=source.segments.all(),
        cases=CaseAssignment.objects.filter(source=source).select_related("case"),
        may_code=pa.role.can_code() and layer["mode"] == "mine",
        **layer,
    )


@login_required
@require_POST
def coding_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Apply the chosen codes to ``start``-``end`` (code points) as the user's codings."""
    pa = access.get_project(request.user, slug, need="code")
    source = access.get_source(pa, request.user, pk)
    try:
        start, end = int(request.POST.get("start", "")), int(request.POST.get("end", ""))
    except ValueError:
        messages.error(request, _("Select some text first."))
        return redirect("qda:source", slug=slug, pk=pk)
    ids = [int(x) for x in request.POST.getlist("code") if x.isdigit()]
    codes = list(Code.objects.filter(project=pa.project, pk__in=ids))
    try:
        services.do_add_coding(source, codes, start, end, coder=request.user)
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
    else:
        messages.success(request, _("Coded."))
    return redirect("qda:source", slug=slug, pk=pk)


@login_required
@require_POST
def coding_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a coding: coders remove their own, researchers and owners any."""
    pa = access.get_project(request.user, slug, need="code")
    coding = get_object_or_404(Coding.objects.select_related("source"), pk=pk, project=pa.project)
    access.get_source(pa, request.user, coding.source_id)
    if coding.coder_id != request.user.pk and not pa.role.can_edit():
        raise PermissionDenied(_("You can remove only your own codings."))
    services.do_remove_coding(coding, actor=request.user)
    messages.success(request, _("Coding removed."))
    return redirect(_next(request) or reverse("qda:source", args=[slug, coding.source_id]))


@login_required
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Metadata, assigned coders, pseudonymisation, deletion (researchers and owners)."""
    pa = access.get_project(request.user, slug, need="edit")
    source = access.get_source(pa, request.user, pk)
    initial = {f: getattr(source, f) for f in SourceMetaForm.base_fields}
    meta_form = SourceMetaForm(initial=initial)
    assign_form = AssignForm(
        members=_members(pa.project),
        initial={"coders": [str(u) for u in source.assigned_coders.values_list("pk", flat=True)]},
    )
    pseudo_form = PseudonymiseForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "meta":
                meta_form = SourceMetaForm(request.POST)
                if meta_form.is_valid():
                    meta = _meta(meta_form.cleaned_data)
                    meta["date"] = meta_form.cleaned_data["date"]
                    services.do_update_source(source, actor=request.user, **meta)
                    messages.success(request, _("Source saved."))
                    return redirect("qda:source", slug=slug, pk=pk)
            elif action == "assign":
                assign_form = AssignForm(request.POST, members=_members(pa.project))
                if assign_form.is_valid():
                    users = User.objects.filter(pk__in=assign_form.cleaned_data["coders"])
                    services.do_assign_coders(source, users, actor=request.user)
                    messages.success(request, _("Coders assigned."))
                    return redirect("qda:source-edit", slug=slug, pk=pk)
            elif action == "pseudonymise":
                pseudo_form = PseudonymiseForm(request.POST)
                if pseudo_form.is_valid():
                    new = services_exchange.do_pseudonymise_source(
                        source,
                        pseudo_form.cleaned_data["names"],
                        actor=request.user,
                        replace=pseudo_form.cleaned_data["replace"],
                    )
                    messages.success(request, _("Pseudonymised copy made."))
                    return redirect("qda:source", slug=slug, pk=new.pk)
            elif action == "delete":
                services.do_delete_source(source, actor=request.user)
                messages.success(request, _("Source deleted."))
                return redirect("qda:index", slug=slug)
        except TillitError as exc:
            target = {"meta": meta_form, "assign": assign_form}.get(action or "", pseudo_form)
            _error(target, exc)
    return render_qda(
        request,
        "qda/source_edit.html",
        pa,
        "sources",
        source=source,
        meta_form=meta_form,
        assign_form=assign_form,
        pseudo_form=pseudo_form,
    )


@login_required
def pseudonym_key(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The key of a pseudonymised source: owners only (others get 403)."""
    pa = access.get_project(request.user, slug, need="view")
    if not access.can_see_pseudonym_keys(pa):
        raise PermissionDenied(_("Only owners see pseudonym keys."))
    source = access.get_source(pa, request.user, pk)
    key = get_object_or_404(PseudonymKey, source=source)
    return render_qda(request, "qda/pseudonym_key.html", pa, "sources", source=source, key=key)


# ----------------------------------------------------------------------------------------------
# codebook


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project(request.user, slug, need=_need(request))
    choices = code_choices(pa.project)
    form = CodeForm(request.POST or None, codes=choices, prefix="new")
    qdc_form = QdcImportForm(request.POST or None, request.FILES or None, prefix="qdc")
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "create" and form.is_valid():
                d = form.cleaned_data
                parent = Code.objects.filter(project=pa.project, pk=d["parent"] or 0).first()
                fields = {k: d[k] for k in ("description", "inclusion", "exclusion", "example")}
                if d["colour"]:
                    fields["colour"] = d["colour"]
                services_codebook.do_create_code(
                    pa.project,
                    d["name"],
                    actor=request.user,
                    parent=parent,
                    concept_id=d["concept_id"],
                    **fields,
                )
                messages.success(request, _("Code added."))
                return redirect("qda:codebook", slug=slug)
            if action == "starter":
                lang = request.POST.get("lang", "en")
                created = services_codebook.do_create_starter_codebook(
                    pa.project,
                    actor=request.user,
                    lang=lang if lang in ("en", "nb", "da") else "en",
                )
                messages.success(request, _("%(n)s codes added.") % {"n": len(created)})
                return redirect("qda:codebook", slug=slug)
            if action == "qdc" and qdc_form.is_valid():
                report = services_codebook.do_import_qdc(
                    pa.project, qdc_form.cleaned_data["file"].read(), actor=request.user
                )
                messages.success(
                    request,
                    _("Codebook imported: %(a)s added, %(u)s updated.")
                    % {"a": report["added"], "u": report["updated"]},
                )
                return redirect("qda:codebook", slug=slug)
        except TillitError as exc:
            _error(qdc_form if action == "qdc" else form, exc)
    counts = dict(
        Coding.objects.filter(project=pa.project)
        .values_list("code_id")
        .annotate(n=Count("id"))
        .values_list("code_id", "n")
    )
    return render_qda(
        request,
        "qda/codebook.html",
        pa,
        "codebook",
        tree=[(c, d, counts.get(c.pk, 0)) for c, d in code_tree(pa.project)],
        form=form,
        qdc_form=qdc_form,
    )


@login_required
def codebook_colours(request: HttpRequest, slug: str) -> HttpResponse:
    """The codes' colours as a stylesheet (CSP forbids inline style)."""
    pa = access.get_project(request.user, slug)
    lines = [
        f".code-{pk} {{ background-color: {colour}; }}\n"
        f".swatch.code-{pk} {{ border-color: {colour}; }}"
        for pk, colour in Code.objects.filter(project=pa.project).values_list("pk", "colour")
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def code_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project(request.user, slug, need=_need(request))
    code = get_object_or_404(Code, pk=pk, project=pa.project)
    others = code_choices(pa.project, exclude=code.pk)
    initial = {f: getattr(code, f) for f in CodeForm.base_fields if hasattr(code, f)}
    initial["parent"] = str(code.parent_id or "")
    form = CodeForm(initial=initial, codes=others)
    move_form = MoveForm(initial={"parent": str(code.parent_id or "")}, codes=others)
    merge_form = MergeForm(codes=others)
    split_form = SplitForm()
    memo_form = MemoForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit":
                form = CodeForm(request.POST, codes=others)
                if form.is_valid():
                    d = form.cleaned_data
                    fields = {
                        k: d[k]
                        for k in ("name", "description", "inclusion", "exclusion", "example")
                    }
                    fields["concept_id"] = d["concept_id"]
                    if d["colour"]:
                        fields["colour"] = d["colour"]
                    services_codebook.do_update_code(code, actor=request.user, **fields)
                    messages.success(request, _("Code saved."))
                    return redirect("qda:code", slug=slug, pk=pk)
            elif action == "move":
                move_form = MoveForm(request.POST, codes=others)
                if move_form.is_valid():
                    parent = Code.objects.filter(
                        project=pa.project, pk=move_form.cleaned_data["parent"] or 0
                    ).first()
                    services_codebook.do_move_code(code, parent, actor=request.user)
                    messages.success(request, _("Code moved."))
                    return redirect("qda:code", slug=slug, pk=pk)
            elif action == "merge":
                merge_form = MergeForm(request.POST, codes=others)
                if merge_form.is_valid():
                    target = get_object_or_404(
                        Code, project=pa.project, pk=merge_form.cleaned_data["target"]
                    )
                    services_codebook.do_merge_codes(code, target, actor=request.user)
                    messages.success(request, _("Codes merged."))
                    return redirect("qda:code", slug=slug, pk=target.pk)
            elif action == "split":
                split_form = SplitForm(request.POST)
                if split_form.is_valid():
                    names = split_form.cleaned_data["names"].splitlines()
                    assign = {
                        int(k[6:]): int(v)
                        for k, v in request.POST.items()
                        if k.startswith("split-") and k[6:].isdigit() and v.isdigit()
                    }
                    services_codebook.do_split_code(code, names, actor=request.user, assign=assign)
                    messages.success(request, _("Code split."))
                    return redirect("qda:code", slug=slug, pk=pk)
            elif action == "delete":
                services_codebook.do_delete_code(code, actor=request.user)
                messages.success(request, _("Code deleted."))
                return redirect("qda:codebook", slug=slug)
        except TillitError as exc:
            target_form = {"move": move_form, "merge": merge_form, "split": split_form}
            _error(target_form.get(action or "", form), exc)
    codings = (
        Coding.objects.filter(code=code)
        .filter(source__in=access.visible_sources(pa, request.user))
        .select_related("source", "coder")
        .defer("source__text")[:300]
    )
    snippets = _snippets(codings)
    return render_qda(
        request,
        "qda/code.html",
        pa,
        "codebook",
        code=code,
        form=form,
        move_form=move_form,
        merge_form=merge_form,
        split_form=split_form,
        memo_form=memo_form,
        codings=snippets,
        children=code.children.all(),
        history=CodeHistory.objects.filter(code=code).select_related("actor")[:50],
        memos=Memo.objects.filter(code=code).select_related("author"),
    )


def _snippets(codings: Any, context: int = 0) -> list[dict[str, Any]]:
    """Codings with their text (one query for the texts of the sources involved)."""
    codings = list(codings)
    texts = dict(
        Source.objects.filter(pk__in={c.source_id for c in codings}).values_list("pk", "text")
    )
    out = []
    for c in codings:
        text = texts.get(c.source_id, "")
        out.append(
            {
                "coding": c,
                "before": text[max(0, c.start - context) : c.start] if context else "",
                "text": text[c.start : c.end],
                "after": text[c.end : c.end + context] if context else "",
            }
        )
    return out


# ----------------------------------------------------------------------------------------------
# memos


def _memo_target(pa: ProjectAccess, user: Any, ref: str) -> Any:
    """``code:<id>``, ``coding:<id>``, ``source:<id>`` or empty (the project)."""
    kind, _, raw = (ref or "").partition(":")
    if not raw.isdigit():
        return None
    if kind == "code":
        return get_object_or_404(Code, project=pa.project, pk=int(raw))
    if kind == "source":
        return access.get_source(pa, user, int(raw))
    if kind == "coding":
        coding = get_object_or_404(Coding, project=pa.project, pk=int(raw))
        access.get_source(pa, user, coding.source_id)
        return coding
    return None


@login_required
@require_http_methods(["GET", "POST"])
def memos(request: HttpRequest, slug: str) -> HttpResponse:
    """All memos the member may see; writing one needs the code right."""
    pa = access.get_project(request.user, slug, need=_need(request, "code"))
    form = MemoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = _memo_target(pa, request.user, d["target"])
        try:
            services.do_save_memo(
                pa.project, d["text"], actor=request.user, title=d["title"], target=target
            )
        except TillitError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Memo saved."))
            return redirect(_next(request) or reverse("qda:memos", args=[slug]))
    visible = access.visible_sources(pa, request.user)
    qs = Memo.objects.filter(project=pa.project).select_related(
        "author", "code", "source", "coding__code", "coding__source"
    )
    if access.restricted(pa):
        qs = qs.filter(Q(source__isnull=True) | Q(source__in=visible)).filter(
            Q(coding__isnull=True) | Q(coding__source__in=visible)
        )
    kind = request.GET.get("target", "")
    if kind in Memo.Target.values:
        qs = qs.filter(target=kind)
    return render_qda(
        request,
        "qda/memos.html",
        pa,
        "memos",
        memos=qs,
        form=form,
        kind=kind,
        targets=Memo.Target.choices,
    )


@login_required
@require_http_methods(["GET", "POST"])
def memo_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project(request.user, slug, need=_need(request, "code"))
    memo = get_object_or_404(Memo, pk=pk, project=pa.project)
    if memo.source_id:
        access.get_source(pa, request.user, memo.source_id)
    if memo.coding_id:
        access.get_source(pa, request.user, memo.coding.source_id)
    form = MemoForm(request.POST or None, initial={"title": memo.title, "text": memo.text})
    if request.method == "POST":
        if memo.author_id != request.user.pk and not pa.role.can_edit():
            raise PermissionDenied(_("You can change only your own memos."))
        if request.POST.get("action") == "delete":
            services.do_delete_memo(memo, actor=request.user)
            messages.success(request, _("Memo deleted."))
            return redirect("qda:memos", slug=slug)
        if form.is_valid():
            services.do_save_memo(
                pa.project,
                form.cleaned_data["text"],
                actor=request.user,
                title=form.cleaned_data["title"],
                memo=memo,
            )
            messages.success(request, _("Memo saved."))
            return redirect("qda:memo", slug=slug, pk=pk)
    return render_qda(request, "qda/memo.html", pa, "memos", memo=memo, form=form)


# ----------------------------------------------------------------------------------------------
# cases


@login_required
@require_http_methods(["GET", "POST"])
def cases(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project(request.user, slug, need=_need(request))
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.do_save_case(
                pa.project,
                d["name"],
                actor=request.user,
                kind=d["kind"],
                municipality_code=d["municipality_code"],
                description=d["description"],
                attributes=d["attributes"],
            )
        except TillitError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Case saved."))
            return redirect("qda:case", slug=slug, pk=case.pk)
    rows = Case.objects.filter(project=pa.project).annotate(n=Count("assignments"))
    names = sorted({k for c in rows for k in c.attributes})
    table = [(c, [c.attributes.get(k, "") for k in names]) for c in rows]
    return render_qda(request, "qda/cases.html", pa, "cases", table=table, names=names, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project(request.user, slug, need=_need(request))
    case = get_object_or_404(Case, pk=pk, project=pa.project)
    visible = access.visible_sources(pa, request.user)
    source_choices = [(str(s.pk), s.name) for s in visible.defer("text")]
    form = CaseForm(
        initial={
            "name": case.name,
            "kind": case.kind,
            "municipality_code": case.municipality_code,
            "description": case.description,
            "attributes": attributes_text(case.attributes),
        }
    )
    assign_form = CaseAssignForm(sources=source_choices)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit":
                form = CaseForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.do_save_case(
                        pa.project,
                        d["name"],
                        actor=request.user,
                        kind=d["kind"],
                        municipality_code=d["municipality_code"],
                        description=d["description"],
                        attributes=d["attributes"],
                        case=case,
                    )
                    messages.success(request, _("Case saved."))
                    return redirect("qda:case", slug=slug, pk=pk)
            elif action == "assign":
                assign_form = CaseAssignForm(request.POST, sources=source_choices)
                if assign_form.is_valid():
                    d = assign_form.cleaned_data
                    source = access.get_source(pa, request.user, int(d["source"]))
                    services.do_assign_case(
                        case, source, actor=request.user, start=d["start"], end=d["end"]
                    )
                    messages.success(request, _("Assigned."))
                    return redirect("qda:case", slug=slug, pk=pk)
            elif action == "unassign":
                a = get_object_or_404(CaseAssignment, case=case, pk=request.POST.get("assignment"))
                services.do_unassign_case(a, actor=request.user)
                return redirect("qda:case", slug=slug, pk=pk)
            elif action == "delete":
                services.do_delete_case(case, actor=request.user)
                return redirect("qda:cases", slug=slug)
        except TillitError as exc:
            _error(assign_form if action == "assign" else form, exc)
    assignments = case.assignments.filter(source__in=visible).select_related("source")
    return render_qda(
        request,
        "qda/case.html",
        pa,
        "cases",
        case=case,
        form=form,
        assign_form=assign_form,
        assignments=assignments,
    )


# ----------------------------------------------------------------------------------------------
# settings


@login_required
@require_http_methods(["GET", "POST"])
def qda_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners decide whether coders see only the sources assigned to them."""
    need = "manage_members" if request.method == "POST" else "edit"
    pa = access.get_project(request.user, slug, need=need)
    current = access.settings_for(pa.project)
    form = SettingsForm(request.POST or None, initial={"assigned_only": current.assigned_only})
    if request.method == "POST" and form.is_valid():
        services.do_update_settings(
            pa.project, actor=request.user, assigned_only=form.cleaned_data["assigned_only"]
        )
        messages.success(request, _("Settings saved."))
        return redirect("qda:settings", slug=slug)
    return render_qda(request, "qda/settings.html", pa, "settings", form=form)
