"""`tillit corpus ...` and `tillit screen ...`: import documents, screen them (issue mapping).

A thin group over :mod:`tillit.apps.corpus` (services, importing, screening, review). Every
command takes ``--dir`` and works on the project directory's database. Exit codes: 0 success,
1 runtime failure, 2 usage error. Long work shows a progress bar on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, NotFoundError, TillitError

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
user_option = click.option(
    "--user", "username", default=None, help="Account recorded as the actor in the audit trail."
)


def _setup(project_dir: Path | None) -> None:
    setup_django(resolve_project_dir(project_dir))


def _project(slug: str) -> Any:
    from tillit.apps.core.models import Project

    p = Project.objects.filter(slug=slug).first()
    if p is None:
        raise NotFoundError(
            f"There is no project {slug!r}.", hint="List projects with `tillit project list`."
        )
    return p


def _user(name: str | None, *, required: str = "") -> Any:
    if not name:
        if required:
            raise TillitError(
                f"{required} needs --user NAME.", ErrorCode.USAGE, hint="Say who is labelling."
            )
        return None
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.filter(username__iexact=name).first()
    if u is None:
        raise NotFoundError(f"There is no user {name!r}.", hint="Check the user name.")
    return u


def _document(project: Any, ref: str) -> Any:
    from tillit.apps.corpus.models import Document

    qs = Document.objects.filter(project=project)
    doc = qs.filter(pk=int(ref)).first() if ref.isdigit() and len(ref) < 12 else None
    if doc is None and len(ref) >= 6:
        matches = list(qs.filter(sha256__startswith=ref.lower())[:2])
        if len(matches) > 1:
            raise TillitError(
                f"{ref!r} matches more than one document.",
                ErrorCode.AMBIGUOUS,
                hint="Give more characters of the hash.",
            )
        doc = matches[0] if matches else None
    if doc is None:
        raise NotFoundError(
            f"Project {project.slug!r} has no document {ref!r}.",
            hint=f"List them with `tillit corpus list {project.slug}`.",
        )
    return doc


class _Bar:
    """A tqdm progress bar on stderr driven by ``progress(done, total)`` calls."""

    def __init__(self, desc: str, unit: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(desc=desc, unit=unit, file=sys.stderr, total=0, dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


# ----------------------------------------------------------------------------------------------
# tillit corpus


@click.group()
def corpus() -> None:
    """Document corpus: import files, folders, zip files and web pages; list and show them."""


@corpus.command("import")
@dir_option
@click.argument("project")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--urls",
    "url_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A text file with one web address a line.",
)
@click.option("--url", "urls", multiple=True, help="A web address to fetch (repeatable).")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with filename or url, municipality, date, doc_type, title.",
)
@click.option("--municipality", default="", help="Municipality code or name for every document.")
@click.option("--date", "date_", default="", help="Date for every document (2024-03-15).")
@click.option(
    "--type",
    "doc_type",
    default="",
    help="council_minutes, plan, budget, report, web_page or other.",
)
@click.option("--title", default="", help="Title (for a single document).")
@click.option("--ocr", is_flag=True, help="OCR scanned PDF pages (needs tesseract).")
@click.option("--synthetic", is_flag=True, help="Mark the documents as made up (teaching data).")
@user_option
@json_option
def corpus_import(
    project_dir: Path | None,
    project: str,
    sources: tuple[Path, ...],
    url_file: Path | None,
    urls: tuple[str, ...],
    manifest: Path | None,
    municipality: str,
    date_: str,
    doc_type: str,
    title: str,
    ocr: bool,
    synthetic: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Import SOURCES (files, folders, zip files, web addresses) into PROJECT's corpus.

    Each document is committed on its own; a document that cannot be read is stored as flagged
    with the reason, the same content is never stored twice, and running the command again
    skips what is there.
    """
    _setup(project_dir)
    from tillit.apps.corpus import importing
    from tillit.apps.corpus.services import Metadata

    p = _project(project)
    actor = _user(username)
    defaults = Metadata(
        municipality=municipality, date=date_ or None, doc_type=doc_type, title=title
    )
    defaults.checked()
    rows = importing.read_manifest(manifest.read_bytes(), where=str(manifest)) if manifest else []
    items: list[importing.Item] = []
    paths = [s for s in sources if not importing.is_url(str(s))]
    for s in paths:
        if not s.exists():
            raise TillitError(
                f"{s} does not exist.", ErrorCode.USAGE, hint="Check the path and try again."
            )
    items += list(importing.items_from_paths(paths))
    all_urls = [str(s) for s in sources if importing.is_url(str(s))] + list(urls)
    if url_file:
        all_urls += importing.read_url_list(url_file.read_bytes())
    items += [importing.Item(u, url=u) for u in all_urls]
    if manifest and not sources and not all_urls:
        items += importing.items_from_manifest(rows, manifest.parent)
    if not items:
        raise TillitError(
            "Nothing to import.",
            ErrorCode.USAGE,
            hint="Give files, folders, zip files, --url/--urls, or a --manifest.",
        )
    from tqdm import tqdm

    bar = tqdm(total=len(items), desc="Importing", unit="item", file=sys.stderr)

    def on_item(o: Any) -> None:
        bar.set_postfix_str(f"{o.status}: {Path(o.name).name[:30]}")

    importer = importing.Importer(
        p,
        actor,
        defaults,
        manifest=importing.manifest_lookup(rows) if rows else None,
        ocr=ocr,
        synthetic=synthetic,
        on_item=on_item,
    )
    outcomes = []
    for item in items:
        outcomes += importer.run([item])
        importer.outcomes = []
        bar.update(1)
    bar.close()
    counts = importing.summarise(outcomes)
    if as_json:
        emit_json({"ok": True, **counts, "items": [o.as_dict() for o in outcomes]})
        return
    emit_table(
        ["result", "id", "lang", "item", "reason"],
        [
            [o.status, o.document_id, o.lang, o.name, (o.reason + " " + o.message).strip()[:90]]
            for o in outcomes
        ],
    )
    click.echo(
        f"{counts['imported']} imported, {counts['flagged']} flagged, "
        f"{counts['duplicate']} duplicates, {counts['failed']} failed."
    )


@corpus.command("list")
@dir_option
@click.argument("project")
@click.option("--status", type=click.Choice(["ok", "flagged"]), default=None)
@click.option("--municipality", default="", help="Code or name.")
@click.option("--lang", default="", help="nb, nn, da, sv, en or und.")
@json_option
def corpus_list(
    project_dir: Path | None,
    project: str,
    status: str | None,
    municipality: str,
    lang: str,
    as_json: bool,
) -> None:
    """List PROJECT's documents."""
    _setup(project_dir)
    from django.db.models import Count

    from tillit.apps.corpus.models import Document
    from tillit.apps.corpus.services import clean_municipality

    qs = Document.objects.filter(project=_project(project)).defer("text")
    if status:
        qs = qs.filter(status=status)
    if municipality:
        qs = qs.filter(municipality_code=clean_municipality(municipality))
    if lang:
        qs = qs.filter(lang=lang)
    rows = [
        {
            "id": d.pk,
            "sha256": d.sha256,
            "title": d.display_title,
            "municipality": d.municipality_code,
            "date": d.date.isoformat() if d.date else None,
            "doc_type": d.doc_type,
            "lang": d.lang,
            "status": d.status,
            "flag_reason": d.flag_reason,
            "screened": d.screened_version,
            "evidence": d.n_scores,
            "synthetic": d.synthetic,
        }
        for d in qs.annotate(n_scores=Count("passages__scores")).order_by("id")
    ]
    if as_json:
        emit_json(rows)
        return
    cols = ["id", "municipality", "date", "doc_type", "lang", "status", "evidence", "title"]
    emit_table(cols, [[r[c] if c != "title" else str(r[c])[:50] for c in cols] for r in rows])


@corpus.command("show")
@dir_option
@click.argument("project")
@click.argument("document")
@click.option("--text", "with_text", is_flag=True, help="Include the full text.")
@json_option
def corpus_show(
    project_dir: Path | None, project: str, document: str, with_text: bool, as_json: bool
) -> None:
    """Show DOCUMENT (id or sha256 prefix) with its evidence passages and offsets."""
    _setup(project_dir)
    from tillit.apps.corpus.models import PassageScore

    doc = _document(_project(project), document)
    evidence = [
        {
            "passage": ps.passage.index,
            "start": ps.passage.start,
            "end": ps.passage.end,
            "concept": ps.concept,
            "score": ps.score,
            "terms": ps.terms,
            "quote": doc.text[ps.passage.start : ps.passage.end],
        }
        for ps in PassageScore.objects.filter(passage__document=doc)
        .select_related("passage")
        .order_by("passage__index", "concept")
    ]
    data = {
        "id": doc.pk,
        "sha256": doc.sha256,
        "title": doc.display_title,
        "filename": doc.filename,
        "media_type": doc.media_type,
        "municipality": doc.municipality_code,
        "date": doc.date.isoformat() if doc.date else None,
        "doc_type": doc.doc_type,
        "source_url": doc.source_url,
        "lang": doc.lang,
        "lang_confidence": doc.lang_confidence,
        "status": doc.status,
        "flag_reason": doc.flag_reason,
        "flag_message": doc.flag_message,
        "pages": doc.pages,
        "size": doc.size,
        "synthetic": doc.synthetic,
        "screened_version": doc.screened_version,
        "n_passages": doc.passages.count(),
        "evidence": evidence,
    }
    if with_text:
        data["text"] = doc.text
    if as_json:
        emit_json(data)
        return
    for k, v in data.items():
        if k not in ("evidence", "text"):
            click.echo(f"{k}: {v}")
    for e in evidence:
        click.echo(f"  #{e['passage']} {e['start']}-{e['end']} {e['concept']} {e['score']:.2f}")
    if with_text:
        click.echo("")
        click.echo(doc.text)


@corpus.command("reextract")
@dir_option
@click.argument("project")
@click.argument("document")
@click.option(
    "--ocr/--no-ocr",
    default=True,
    show_default=True,
    help="OCR scanned PDF pages (needs tesseract).",
)
@user_option
@json_option
def corpus_reextract(
    project_dir: Path | None,
    project: str,
    document: str,
    ocr: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Extract DOCUMENT's text again from its kept bytes (e.g. with OCR); it is screened anew
    by the next `tillit screen run`."""
    _setup(project_dir)
    from tillit.apps.corpus import services

    doc = services.do_reextract_document(
        _document(_project(project), document), actor=_user(username), ocr=ocr
    )
    data = {"id": doc.pk, "status": doc.status, "reason": doc.flag_reason, "lang": doc.lang,
            "chars": len(doc.text)}  # fmt: skip
    if as_json:
        emit_json({"ok": True, **data})
    else:
        click.echo(f"Document {doc.pk}: {doc.status} {doc.flag_reason}".rstrip() + ".")


@corpus.command("export-parquet")
@dir_option
@click.argument("project")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--partition-size", default=200, show_default=True, type=click.IntRange(1))
@json_option
def corpus_export_parquet(
    project_dir: Path | None, project: str, out: Path, partition_size: int, as_json: bool
) -> None:
    """Write PROJECT's readable documents to Parquet partitions in OUT (for a Dask cluster)."""
    _setup(project_dir)
    from tillit.apps.corpus.models import Document
    from tillit.text.corpus import write_corpus

    qs = Document.objects.filter(project=_project(project), status=Document.Status.OK)

    def docs() -> Any:
        for d in qs.order_by("id").iterator(chunk_size=200):
            yield {
                "doc_id": str(d.pk),
                "text": d.text,
                "sha256": d.sha256,
                "municipality": d.municipality_code,
                "date": d.date.isoformat() if d.date else "",
                "doc_type": d.doc_type,
                "lang": d.lang,
                "title": d.display_title,
            }

    paths = write_corpus(docs(), out, partition_size=partition_size)
    if as_json:
        emit_json({"ok": True, "documents": qs.count(), "partitions": [str(p) for p in paths]})
    else:
        click.echo(f"Wrote {qs.count()} documents in {len(paths)} partitions to {out}.")


# ----------------------------------------------------------------------------------------------
# tillit screen


@click.group()
def screen() -> None:
    """Screening: lexicon scores, labels, the classifier, agreement and suggestions."""


@screen.command("run")
@dir_option
@click.argument("project")
@click.option(
    "--lexicon", "lexicon_version", default=None, help="Lexicon version (default: newest)."
)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address (tcp://HOST:8786) to screen on a cluster.",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the Dask path writes its Parquet partitions (default: in the project dir).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Screen at most N documents.")
@user_option
@json_option
def screen_run(
    project_dir: Path | None,
    project: str,
    lexicon_version: str | None,
    scheduler: str | None,
    work_dir: Path | None,
    limit: int | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Screen PROJECT's unscreened documents (resumable: screened documents are skipped),
    then refresh the suggested register entries."""
    _setup(project_dir)
    from tillit.apps.corpus import screening, services

    p = _project(project)
    actor = _user(username)
    bar = _Bar("Screening", "doc")
    try:
        run = screening.screen_project(
            p,
            actor=actor,
            lexicon_version=lexicon_version,
            scheduler=scheduler,
            work_dir=work_dir,
            progress=bar,
            limit=limit,
        )
    finally:
        bar.close()
    created = services.do_refresh_suggestions(p, actor=actor)
    data = _run_dict(run) | {"new_suggestions": [s.municipality_code for s in created]}
    if as_json:
        emit_json({"ok": True, **data})
    else:
        click.echo(
            f"Screened {run.done} documents ({run.skipped} already screened): "
            f"{run.n_passages} passages, {run.n_scores} evidence scores, "
            f"{len(created)} new suggestions."
        )


def _run_dict(run: Any) -> dict[str, Any]:
    return {
        "run": run.pk,
        "state": run.state,
        "lexicon_version": run.lexicon_version,
        "scheduler": run.scheduler,
        "done": run.done,
        "total": run.total,
        "skipped": run.skipped,
        "passages": run.n_passages,
        "scores": run.n_scores,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
    }


@screen.command("status")
@dir_option
@click.argument("project")
@json_option
def screen_status(project_dir: Path | None, project: str, as_json: bool) -> None:
    """Screening runs of PROJECT and how many documents wait."""
    _setup(project_dir)
    from tillit.apps.corpus.models import Document, ScreeningRun

    p = _project(project)
    runs = [_run_dict(r) for r in ScreeningRun.objects.filter(project=p)[:20]]
    docs = Document.objects.filter(project=p)
    data = {
        "documents": docs.count(),
        "flagged": docs.filter(status="flagged").count(),
        "unscreened": docs.filter(status="ok", screened_version="").count(),
        "runs": runs,
    }
    if as_json:
        emit_json(data)
        return
    click.echo(
        f"{data['documents']} documents, {data['flagged']} flagged, "
        f"{data['unscreened']} never screened."
    )
    cols = ["run", "state", "lexicon_version", "done", "total", "skipped", "scores", "started_at"]
    emit_table(cols, [[r[c] for c in cols] for r in runs])


@screen.command("evidence")
@dir_option
@click.argument("project")
@click.option("--municipality", default="", help="Only this municipality (code or name).")
@click.option("--concept", default="", help="Only this concept id.")
@json_option
def screen_evidence(
    project_dir: Path | None, project: str, municipality: str, concept: str, as_json: bool
) -> None:
    """Evidence passages per municipality and document, with offsets."""
    _setup(project_dir)
    from tillit.apps.corpus.models import PassageScore
    from tillit.apps.corpus.services import clean_municipality

    qs = PassageScore.objects.filter(passage__document__project=_project(project))
    if municipality:
        qs = qs.filter(passage__document__municipality_code=clean_municipality(municipality))
    if concept:
        qs = qs.filter(concept=concept)
    rows = [
        {
            "municipality": ps.passage.document.municipality_code,
            "document": ps.passage.document.sha256,
            "title": ps.passage.document.display_title,
            "passage": ps.passage.index,
            "start": ps.passage.start,
            "end": ps.passage.end,
            "concept": ps.concept,
            "score": ps.score,
            "terms": sorted({t["term"] for t in ps.terms}),
        }
        for ps in qs.select_related("passage__document")
        .defer("passage__document__text")
        .order_by("passage__document__municipality_code", "passage__document_id", "passage__index")
    ]
    if as_json:
        emit_json(rows)
        return
    cols = ["municipality", "passage", "start", "end", "concept", "score", "title"]
    emit_table(cols, [[r[c] if c != "title" else r[c][:40] for c in cols] for r in rows])


@screen.command("queue")
@dir_option
@click.argument("project")
@click.option("--user", "username", required=True, help="The screener.")
@click.option("-n", "n", default=10, show_default=True, type=click.IntRange(1, 500))
@click.option("--concept", default=None)
@json_option
def screen_queue(
    project_dir: Path | None,
    project: str,
    username: str,
    n: int,
    concept: str | None,
    as_json: bool,
) -> None:
    """The next passages for a screener (most informative first once the classifier trains)."""
    _setup(project_dir)
    from tillit.apps.corpus import review

    p = _project(project)
    items = review.next_items(p, _user(username), n=n, concept=concept)
    rows = [
        {
            "passage_id": i.passage.pk,
            "document": i.passage.document.sha256,
            "start": i.passage.start,
            "end": i.passage.end,
            "concept": i.concept,
            "score": i.score,
            "probability": i.probability,
            "order": i.order,
            "text": i.passage.document.text[i.passage.start : i.passage.end],
            "explanation": review.explain(p, i.passage, i.concept),
        }
        for i in items
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"[{r['passage_id']}] {r['concept']} score {r['score']:.2f} ({r['order']})")
        click.echo("    " + r["text"][:300].replace("\n", " "))


@screen.command("label")
@dir_option
@click.argument("project")
@click.argument("passage_id", type=int)
@click.argument("concept")
@click.argument("decision", type=click.Choice(["accept", "reject"]))
@click.option("--user", "username", required=True, help="The screener.")
@json_option
def screen_label(
    project_dir: Path | None,
    project: str,
    passage_id: int,
    concept: str,
    decision: str,
    username: str,
    as_json: bool,
) -> None:
    """Accept or reject PASSAGE_ID as evidence for CONCEPT (a new label replaces the old)."""
    _setup(project_dir)
    from tillit.apps.corpus import services
    from tillit.apps.corpus.models import Passage

    p = _project(project)
    passage = Passage.objects.filter(pk=passage_id, document__project=p).first()
    if passage is None:
        raise NotFoundError(
            f"Project {project!r} has no passage {passage_id}.",
            hint=f"See the queue with `tillit screen queue {project} --user NAME`.",
        )
    label = services.do_label_passage(passage, concept, decision, screener=_user(username))
    if as_json:
        emit_json({"ok": True, "label": label.pk, "decision": decision, "concept": concept})
    else:
        click.echo(f"Recorded {decision} of passage {passage_id} for {concept}.")


@screen.command("evaluate")
@dir_option
@click.argument("project")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
@click.option("--seed", default=0, show_default=True, type=int)
@user_option
@json_option
def screen_evaluate(
    project_dir: Path | None,
    project: str,
    folds: int,
    seed: int,
    username: str | None,
    as_json: bool,
) -> None:
    """Train the classifier on PROJECT's labels and report cross-validated P/R/F1 per concept."""
    _setup(project_dir)
    from tillit.apps.corpus import review, services

    p = _project(project)
    n, rows = review.evaluate(p, folds=folds, seed=seed)
    services.do_record_evaluation(p, rows, n_labelled=n, folds=folds, actor=_user(username))
    if as_json:
        emit_json({"ok": True, "labelled": n, "folds": folds, "concepts": rows})
        return
    click.echo(f"{n} labelled passages, {folds}-fold cross-validation.")
    emit_table(
        ["concept", "precision", "recall", "f1", "support"],
        [
            [r["concept"], *(_fmt(r[k]) for k in ("precision", "recall", "f1")), r["support"]]
            for r in rows
        ],
    )


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


@screen.command("agreement")
@dir_option
@click.argument("project")
@click.argument("screener_a")
@click.argument("screener_b")
@json_option
def screen_agreement(
    project_dir: Path | None, project: str, screener_a: str, screener_b: str, as_json: bool
) -> None:
    """Cohen's kappa between two screeners on the passages both labelled, per concept."""
    _setup(project_dir)
    from tillit.apps.corpus import review

    result = review.agreement(_project(project), _user(screener_a), _user(screener_b))
    if as_json:
        emit_json(result.as_dict())
        return
    rows = [*result.rows, result.overall]
    emit_table(
        ["concept", "n", "both_accept", "both_reject", "only_a", "only_b", "kappa"],
        [
            [
                r.concept or "(all)",
                r.n,
                r.both_accept,
                r.both_reject,
                r.only_a,
                r.only_b,
                _fmt(r.kappa),
            ]
            for r in rows
            if r is not None
        ],
    )


@screen.command("suggestions")
@dir_option
@click.argument("project")
@click.option("--refresh", is_flag=True, help="Look for new suggestions first.")
@user_option
@json_option
def screen_suggestions(
    project_dir: Path | None, project: str, refresh: bool, username: str | None, as_json: bool
) -> None:
    """Suggested register entries: municipalities with evidence and no initiative."""
    _setup(project_dir)
    from tillit.apps.corpus import services
    from tillit.apps.corpus.models import Suggestion

    p = _project(project)
    if refresh:
        services.do_refresh_suggestions(p, actor=_user(username))
    rows = [
        {
            "id": s.pk,
            "municipality": s.municipality_code,
            "state": s.state,
            "concepts": s.concepts,
            "passages": s.passages.count(),
            "initiative": s.initiative_id,
        }
        for s in Suggestion.objects.filter(project=p)
    ]
    if as_json:
        emit_json(rows)
        return
    cols = ["id", "municipality", "state", "passages", "initiative"]
    emit_table(cols, [[r[c] for c in cols] for r in rows])


@screen.command("decide")
@dir_option
@click.argument("project")
@click.argument("suggestion_id", type=int)
@click.argument("decision", type=click.Choice(["confirm", "reject"]))
@click.option("--title", default="", help="Title of the initiative (confirm).")
@click.option("--note", default="")
@click.option("--user", "username", required=True, help="The reviewer.")
@json_option
def screen_decide(
    project_dir: Path | None,
    project: str,
    suggestion_id: int,
    decision: str,
    title: str,
    note: str,
    username: str,
    as_json: bool,
) -> None:
    """Confirm (adds an initiative to the register) or reject a suggestion."""
    _setup(project_dir)
    from tillit.apps.corpus import services
    from tillit.apps.corpus.models import Suggestion

    p = _project(project)
    s = Suggestion.objects.filter(project=p, pk=suggestion_id).first()
    if s is None:
        raise NotFoundError(
            f"Project {project!r} has no suggestion {suggestion_id}.",
            hint=f"List them with `tillit screen suggestions {project}`.",
        )
    actor = _user(username)
    if decision == "confirm":
        s = services.do_confirm_suggestion(s, actor=actor, title=title, note=note)
    else:
        s = services.do_reject_suggestion(s, actor=actor, note=note)
    if as_json:
        emit_json({"ok": True, "id": s.pk, "state": s.state, "initiative": s.initiative_id})
    else:
        click.echo(f"Suggestion {s.pk} {s.state}.")


COMMANDS: list[Any] = [corpus, screen]
