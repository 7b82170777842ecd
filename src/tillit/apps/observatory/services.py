"""Publishing a project's observatory, and the data version every figure is stamped with.

* :func:`do_publish` / :func:`do_unpublish`: the only writers of
  :class:`~tillit.apps.observatory.models.Publication` (one transaction, one audit event each).
* :func:`get_published`: the public site's only way to a project (404 unless published).
* :func:`data_version`: a short hash of everything the figures are built from (register,
  context events, survey cases and answers, documents and screening, k and the publication
  settings); figures are cached under it, so any change to the data invalidates them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.observatory.models import ALL_SECTIONS, Publication
from tillit.errors import ErrorCode, TillitError

FIELDS = ("published", "public_slug", "sections", "k", "survey_id")


def publication_for(project: Project) -> Publication:
    """The project's publication settings (unsaved defaults when it was never published)."""
    pub = Publication.objects.filter(project=project).first()
    if pub is None:
        pub = Publication(
            project=project,
            public_slug=project.slug,
            sections=list(ALL_SECTIONS),
            k=project.k_threshold,
        )
    return pub


def _check(project: Project, public_slug: str, sections: Sequence[str], k: int) -> str:
    slug = slugify(public_slug)
    if not slug:
        raise TillitError(
            "The public address is empty.",
            ErrorCode.INVALID_INPUT,
            hint="Use letters, digits and hyphens, e.g. the project's short name.",
        )
    taken = Publication.objects.filter(public_slug=slug).exclude(project=project).exists()
    if taken:
        raise TillitError(
            f"The public address {slug!r} is used by another project.",
            ErrorCode.CONFLICT,
            hint="Choose another public address.",
        )
    unknown = [s for s in sections if s not in ALL_SECTIONS]
    if unknown:
        raise TillitError(
            f"Unknown section {unknown[0]!r}.",
            ErrorCode.INVALID_INPUT,
            hint="Sections: " + ", ".join(ALL_SECTIONS) + ".",
        )
    if k < project.k_threshold:
        raise TillitError(
            f"The minimum cell size {k} is below the project's ({project.k_threshold}).",
            ErrorCode.INVALID_INPUT,
            hint="Use at least the project's minimum cell size (project settings).",
        )
    return slug


def do_publish(
    project: Project,
    *,
    actor: AbstractBaseUser | None,
    public_slug: str | None = None,
    sections: Sequence[str] | None = None,
    k: int | None = None,
    survey: Any = None,
) -> Publication:
    """Publish the project's public site at ``/public/<public_slug>/`` (or update it)."""
    with transaction.atomic():
        pub = publication_for(project)
        before = audit.snapshot(pub, FIELDS) if pub.pk else None
        slug = _check(
            project,
            public_slug or pub.public_slug,
            list(sections if sections is not None else pub.sections),
            int(k if k is not None else max(pub.k, project.k_threshold)),
        )
        pub.public_slug = slug
        if sections is not None:
            pub.sections = [s for s in ALL_SECTIONS if s in sections]
        if k is not None:
            pub.k = int(k)
        pub.k = max(pub.k, project.k_threshold)
        if survey is not None:
            if survey.project_id != project.pk:
                raise TillitError("The survey belongs to another project.", ErrorCode.NOT_FOUND)
            pub.survey = survey
        if not pub.published:
            pub.published_at = timezone.now()
        pub.published = True
        pub.published_by = actor if actor is not None and actor.pk else None
        pub.save()
        audit.record(
            actor=actor,
            action="observatory.publish",
            obj=pub,
            project=project,
            before=before,
            after=audit.snapshot(pub, FIELDS),
        )
    return pub


def do_unpublish(project: Project, *, actor: AbstractBaseUser | None) -> Publication:
    """Take the public site down (its settings are kept for the next publication)."""
    with transaction.atomic():
        pub = publication_for(project)
        before = audit.snapshot(pub, FIELDS) if pub.pk else None
        pub.published = False
        pub.save()
        audit.record(
            actor=actor,
            action="observatory.unpublish",
            obj=pub,
            project=project,
            before=before,
            after=audit.snapshot(pub, FIELDS),
        )
    return pub


def get_published(public_slug: str) -> Publication:
    """The publication at ``public_slug``; 404 when there is none or it is not published."""
    pub = (
        Publication.objects.select_related("project", "survey")
        .filter(public_slug=public_slug, published=True)
        .first()
    )
    if pub is None:
        raise Http404("No such public site.")
    return pub


#: Audit actions (prefixes) that record a reading, a publication or an output, not a change to
#: what the figures show.
READ_ONLY_ACTIONS = (
    "observatory.",
    "report.",
    "survey.personal_data_access",
    "qda.qdpx.export",
    "classifier.evaluate",
)


def data_version(project: Project) -> str:
    """A 12-character hash of the state of everything the observatory's figures show.

    Every write through a service records an audit event, so the project's last audit event
    changes with any change to the register, the documents, the surveys or the settings; the
    respondents' own answers (saved by the questionnaire) are counted apart. Publishing is left
    out: it changes no figure.
    """
    from tillit.apps.core.models import AuditEvent
    from tillit.apps.surveys.models import Answer, Case

    # created_at tells apart two projects that got the same id (a deleted and a new one)
    parts: list[Any] = [project.pk, project.created_at.isoformat(), project.k_threshold]
    # publishing changes no figure (k and sections are part of the figure keys themselves), and
    # neither do reports, exports or looking at personal data
    events = AuditEvent.objects.filter(project=project)
    for prefix in READ_ONLY_ACTIONS:
        events = events.exclude(action__startswith=prefix)
    parts.append(events.aggregate(last=Max("id")))
    parts.append(
        Case.objects.filter(survey__project=project).aggregate(
            n=Count("id"), at=Max("last_activity_at")
        )
    )
    parts.append(
        Answer.objects.filter(case__survey__project=project).aggregate(
            n=Count("id"), at=Max("saved_at")
        )
    )
    blob = json.dumps(parts, default=str, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]
