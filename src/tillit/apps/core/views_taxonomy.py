"""Public pages for the shared concept taxonomy: the tree, one concept, the JSON download.

The taxonomy comes from the pure library (:mod:`tillit.taxonomy`); nothing here touches the
database, so the pages are public and need no access check.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tillit.errors import NotFoundError
from tillit.taxonomy import Concept, Taxonomy, load_taxonomy

#: Names of the taxonomy's languages, for table headers (sv is shown though it is no UI language).
LANGUAGE_NAMES = {
    "nb": _("Norwegian Bokmål"),
    "nn": _("Norwegian Nynorsk"),
    "da": _("Danish"),
    "sv": _("Swedish"),
    "en": _("English"),
}


def ui_language(taxonomy: Taxonomy) -> str:
    """The taxonomy language matching the interface language (``en`` if none does)."""
    code = (get_language() or "en").lower().split("-")[0]
    code = {"no": "nb"}.get(code, code)
    return code if code in taxonomy.languages else "en"


class TaxonomyFilter(forms.Form):
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, taxonomy: Taxonomy, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roots = [(c.id, c.label(lang)) for c in taxonomy.roots()]
        self.fields["branch"].choices = [("", _("All branches")), *roots]


def _item(concept: Concept, lang: str) -> dict[str, Any]:
    label_lang, label = concept.label_in(lang)
    definition_lang, definition = concept.definition_in(lang)
    return {
        "id": concept.id,
        "label": label,
        "label_lang": label_lang,
        "definition": definition,
        "definition_lang": definition_lang,
        "deprecated": concept.deprecated,
    }


def _tree_rows(taxonomy: Taxonomy, root: Concept, lang: str, keep: set[str] | None) -> list[dict]:
    """Rows under `root` with the markup moves a flat template loop needs to nest ``<ul>``s."""
    rows = [
        _item(c, lang) | {"depth": depth}
        for c, depth in taxonomy.walk(root.id)
        if depth > 0 and (keep is None or c.id in keep)
    ]
    previous = 0
    for row in rows:
        row["open_list"] = row["depth"] > previous
        row["close_lists"] = range(max(previous - row["depth"], 0))
        previous = row["depth"]
    if rows:
        rows[-1]["trailing_lists"] = range(previous - 1)
    return rows


def taxonomy_page(request: HttpRequest) -> HttpResponse:
    taxonomy = load_taxonomy()
    lang = ui_language(taxonomy)
    form = TaxonomyFilter(request.GET or None, taxonomy=taxonomy, lang=lang)
    data = form.cleaned_data if form.is_valid() else {}
    branch, query = data.get("branch") or "", (data.get("q") or "").strip()
    keep = None
    if query:
        hits = taxonomy.search(query)
        keep = {h.id for h in hits} | {a.id for h in hits for a in taxonomy.ancestors(h.id)}
    sections = [
        _item(root, lang) | {"rows": _tree_rows(taxonomy, root, lang, keep)}
        for root in taxonomy.roots()
        if (not branch or root.id == branch) and (keep is None or root.id in keep)
    ]
    context = {
        "nav": "taxonomy",
        "taxonomy": taxonomy,
        "form": form,
        "query": query,
        "sections": sections,
        "n_hits": len(keep) if keep is not None else None,
    }
    return render(request, "core/taxonomy.html", context)


def concept_detail(request: HttpRequest, concept_id: str) -> HttpResponse:
    taxonomy = load_taxonomy()
    try:
        concept = taxonomy.get(concept_id)
    except NotFoundError:
        raise Http404(f"No concept {concept_id!r}") from None
    lang = ui_language(taxonomy)

    def texts(mapping: Any) -> list[dict[str, str]]:
        return [
            {"code": code, "name": LANGUAGE_NAMES[code], "text": mapping[code]}
            for code in taxonomy.languages
            if code in mapping
        ]

    context = {
        "nav": "taxonomy",
        "taxonomy": taxonomy,
        "concept": concept,
        "item": _item(concept, lang),
        "labels": texts(concept.labels),
        "definitions": texts(concept.definitions),
        "ancestors": [_item(a, lang) for a in taxonomy.ancestors(concept.id)],
        "children": [_item(c, lang) for c in taxonomy.children(concept.id)],
        "related": [_item(taxonomy.get(r), lang) for r in concept.related],
        "replaced_by": _item(taxonomy.get(concept.replaced_by), lang)
        if concept.replaced_by
        else None,
    }
    return render(request, "core/taxonomy_concept.html", context)


def taxonomy_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        load_taxonomy().to_dict(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
