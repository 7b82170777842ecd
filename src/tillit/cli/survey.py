"""`tillit survey`: create surveys, set frames, import contacts, send mail, follow and export.

A thin group over :mod:`tillit.apps.surveys.services`; every command takes ``--dir`` and works on
the project directory's database. Exit codes: 0 success, 1 runtime failure, 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from tillit.cli.context import dir_option, resolve_project_dir, setup_django
from tillit.cli.output import emit_json, emit_table
from tillit.errors import ErrorCode, NotFoundError, TillitError

FORMATS = ("csv", "csv-labels", "sav", "dta", "ddi", "xlsform")
BUILTIN_PREFIX = "builtin:"


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


def _survey(project_slug: str, slug: str) -> Any:
    from tillit.apps.surveys.models import Survey

    project = _project(project_slug)
    s = Survey.objects.select_related("project", "instrument").filter(project=project, slug=slug)
    survey = s.first()
    if survey is None:
        raise NotFoundError(
            f"Project {project_slug!r} has no survey {slug!r}.",
            hint=f"List its surveys with `tillit survey list {project_slug}`.",
        )
    return survey


def _user(name: str | None) -> Any:
    if not name:
        return None
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.filter(username__iexact=name).first()
    if u is None:
        raise NotFoundError(f"There is no user {name!r}.", hint="Check the user name.")
    return u


def _when(value: str | None, option: str) -> dt.datetime | None:
    if not value:
        return None
    from django.utils import timezone

    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise TillitError(
            f"{option} {value!r} is not a date and time.",
            ErrorCode.USAGE,
            hint="Write it as 2026-05-04 or 2026-05-04T09:00 (local time).",
        ) from exc
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


user_option = click.option(
    "--user", "username", default=None, help="Account recorded as the actor in the audit trail."
)


@click.group()
def survey() -> None:
    """Surveys: instruments, frames, contacts, invitations, progress and exports."""


@survey.command("list")
@dir_option
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_list(project_dir: Path | None, project: str, as_json: bool) -> None:
    """List the surveys of PROJECT."""
    _setup(project_dir)
    from django.db.models import Count

    rows = [
        {
            "slug": s.slug,
            "title": s.title,
            "status": s.status,
            "mode": s.mode,
            "instrument": f"{s.instrument.form_id} {s.instrument.version}".strip(),
            "cases": s.n_cases,
            "synthetic": s.is_synthetic,
        }
        for s in _project(project)
        .surveys.select_related("instrument")
        .annotate(n_cases=Count("cases"))
        .order_by("slug")
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(list(rows[0]) if rows else ["slug"], [list(r.values()) for r in rows])


@survey.command("create")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option(
    "--instrument",
    "instrument_src",
    required=True,
    help="An XLSForm file (.xlsx, .xls, .md) or builtin:chief_executive_2026.",
)
@click.option("--title", required=True, help="Title shown to respondents and in e-mails.")
@click.option(
    "--mode",
    type=click.Choice(["personal", "open", "both"]),
    default="personal",
    show_default=True,
    help="Personal invitation links, an open anonymous link, or both.",
)
@click.option("--language", default=None, help="Default language (default: the instrument's).")
@click.option("--opens", default=None, help="Opening time, e.g. 2026-05-04T09:00.")
@click.option("--closes", default=None, help="Closing time, e.g. 2026-06-01T23:59.")
@user_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_create(
    project_dir: Path | None,
    project: str,
    slug: str,
    instrument_src: str,
    title: str,
    mode: str,
    language: str | None,
    opens: str | None,
    closes: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Create survey SLUG in PROJECT from an instrument (it starts as a draft)."""
    if not instrument_src.startswith(BUILTIN_PREFIX) and not Path(instrument_src).is_file():
        raise TillitError(
            f"No instrument file {instrument_src!r}.",
            ErrorCode.USAGE,
            hint="Give an XLSForm file, or builtin:chief_executive_2026.",
        )
    _setup(project_dir)
    from tillit.apps.surveys import services

    p, actor = _project(project), _user(username)
    if instrument_src.startswith(BUILTIN_PREFIX):
        filename, data = services.builtin_instrument(instrument_src[len(BUILTIN_PREFIX) :])
    else:
        filename, data = Path(instrument_src).name, Path(instrument_src).read_bytes()
    iv = services.do_import_instrument(p, filename, data, actor=actor)
    s = services.do_create_survey(
        p,
        slug,
        title,
        iv,
        mode,
        language,
        _when(opens, "--opens"),
        _when(closes, "--closes"),
        actor=actor,
    )
    if as_json:
        emit_json(
            {
                "ok": True,
                "survey": s.slug,
                "instrument": {"form_id": iv.form_id, "version": iv.version, "sha256": iv.sha256},
                "mode": s.mode,
                "open_key": s.open_key or None,
            }
        )
        return
    click.echo(f"Created survey {s.slug} ({iv.form_id} {iv.version}), status draft.")
    if s.open_key:
        click.echo(f"Open link: /o/{s.open_key}/ (after the base address of the server)")
    click.echo(f"Next: tillit survey frame {project} {s.slug} --country both")


@survey.command("frame")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option(
    "--country",
    type=click.Choice(["no", "dk", "both"], case_sensitive=False),
    default="both",
    show_default=True,
)
@click.option("--county", default=None, help="NO county (fylke) or DK region code, e.g. 46.")
@click.option("--sample", "sample_size", type=click.IntRange(1), default=None, help="Sample size.")
@click.option("--seed", type=int, default=None, help="Random seed (a sample is reproducible).")
@user_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_frame(
    project_dir: Path | None,
    project: str,
    slug: str,
    country: str,
    county: str | None,
    sample_size: int | None,
    seed: int | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Set the frame of survey SLUG: municipalities from the registry, or a random sample."""
    if seed is not None and sample_size is None:
        raise TillitError("--seed needs --sample.", ErrorCode.USAGE, hint="Add --sample N.")
    _setup(project_dir)
    from tillit.apps.surveys import services

    frame = services.do_set_frame(
        _survey(project, slug), country, county, sample_size, seed, actor=_user(username)
    )
    if as_json:
        emit_json({"ok": True, **frame})
        return
    click.echo(
        f"The frame has {frame['n_cases']} municipalities "
        f"({frame['n_no']} in Norway, {frame['n_dk']} in Denmark)."
    )
    if frame["seed"] is not None:
        click.echo(f"Sample drawn with seed {frame['seed']} (the same seed gives the same sample).")
    click.echo(f"Next: tillit survey import-contacts {project} {slug} CONTACTS.xlsx")


@survey.command("import-contacts")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows and list the bad ones.")
@user_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_import_contacts(
    project_dir: Path | None,
    project: str,
    slug: str,
    file: Path,
    skip_bad_rows: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Import contacts for survey SLUG from FILE (CSV or XLSX); every row is checked."""
    if not file.is_file():
        raise TillitError(f"No file {str(file)!r}.", ErrorCode.USAGE, hint="Check the path.")
    _setup(project_dir)
    from tillit.apps.surveys import services

    try:
        result = services.do_import_contacts(
            _survey(project, slug),
            file.name,
            file.read_bytes(),
            skip_bad_rows,
            actor=_user(username),
        )
    except TillitError as exc:
        if exc.errors and not as_json:
            _print_row_errors(exc.errors)
        raise
    if as_json:
        emit_json({"ok": True, **result.as_dict()})
        return
    click.echo(
        f"Imported {result.n_created + result.n_updated} contacts "
        f"({result.n_created} new, {result.n_updated} updated) from {result.n_rows} rows."
    )
    if result.skipped:
        click.echo(f"Skipped {len({e.row for e in result.skipped})} bad rows:", err=True)
        _print_row_errors([e.as_dict() for e in result.skipped])


def _print_row_errors(errors: list[dict[str, Any]]) -> None:
    for e in errors:
        hint = f" {e['hint']}" if e.get("hint") else ""
        click.echo(f"  row {e.get('row')}, {e.get('column')}: {e.get('message')}{hint}", err=True)


@survey.command("open")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option("--closes", default=None, help="New closing time, e.g. 2026-06-01T23:59.")
@user_option
def survey_open(
    project_dir: Path | None, project: str, slug: str, closes: str | None, username: str | None
) -> None:
    """Open survey SLUG to respondents."""
    _setup(project_dir)
    from tillit.apps.surveys import services

    s = services.do_open_survey(
        _survey(project, slug), actor=_user(username), closes_at=_when(closes, "--closes")
    )
    click.echo(f"Survey {s.slug} is open.")


@survey.command("close")
@dir_option
@click.argument("project")
@click.argument("slug")
@user_option
def survey_close(project_dir: Path | None, project: str, slug: str, username: str | None) -> None:
    """Close survey SLUG: no more answers; dispositions are brought up to date."""
    _setup(project_dir)
    from tillit.apps.surveys import services

    s = services.do_close_survey(_survey(project, slug), actor=_user(username))
    click.echo(f"Survey {s.slug} is closed.")


def _report_mailing(result: Any, as_json: bool) -> None:
    if as_json:
        emit_json({"ok": True, **result.as_dict()})
        return
    click.echo(
        f"Sent {result.n_sent} {result.kind}s; {result.n_failed} failed; "
        f"{result.n_skipped} contacts skipped (opted out, bounced, done or already invited)."
    )
    for f in result.failures[:20]:
        click.echo(f"  {f['case_id']}: {f['error']}", err=True)
    if result.n_failed:
        click.echo("Failed messages are tried again by the next round.", err=True)


base_url_option = click.option(
    "--base-url",
    required=True,
    help="Public address of this server, used in the links, e.g. https://tillit.example.org",
)


@survey.command("invite")
@dir_option
@click.argument("project")
@click.argument("slug")
@base_url_option
@user_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_invite(
    project_dir: Path | None,
    project: str,
    slug: str,
    base_url: str,
    username: str | None,
    as_json: bool,
) -> None:
    """E-mail invitations to every contact of survey SLUG not yet invited."""
    _setup(project_dir)
    from tillit.apps.surveys import services

    result = services.do_send_invitations(
        _survey(project, slug), actor=_user(username), base_url=base_url
    )
    _report_mailing(result, as_json)
    if result.n_failed and not result.n_sent:
        sys.exit(1)


@survey.command("remind")
@dir_option
@click.argument("project")
@click.argument("slug")
@base_url_option
@click.option("--at", "at", default=None, help="Schedule for this time instead of sending now.")
@user_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_remind(
    project_dir: Path | None,
    project: str,
    slug: str,
    base_url: str,
    at: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Remind invited contacts of survey SLUG who have not completed (or schedule it with --at)."""
    _setup(project_dir)
    from tillit.apps.surveys import services
    from tillit.apps.surveys.mail import clean_base_url

    s = _survey(project, slug)
    if at:
        clean_base_url(base_url)
        r = services.do_schedule_reminder(s, _when(at, "--at"), actor=_user(username))
        if as_json:
            emit_json({"ok": True, "scheduled": r.send_at.isoformat()})
        else:
            click.echo(f"Reminder scheduled for {r.send_at:%Y-%m-%d %H:%M %Z}.")
            click.echo(f"Run `tillit survey send-due --base-url {base_url}` from cron to send it.")
        return
    result = services.do_send_reminders(s, actor=_user(username), base_url=base_url)
    _report_mailing(result, as_json)
    if result.n_failed and not result.n_sent:
        sys.exit(1)


@survey.command("send-due")
@dir_option
@base_url_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_send_due(project_dir: Path | None, base_url: str, as_json: bool) -> None:
    """Send every scheduled reminder that is due (run it from cron, e.g. every 10 minutes)."""
    _setup(project_dir)
    from tillit.apps.surveys import services

    done = services.do_send_due_reminders(base_url=base_url)
    rows = [
        {
            "project": r.survey.project.slug,
            "survey": r.survey.slug,
            "send_at": r.send_at.isoformat(),
            **m.as_dict(),
        }
        for r, m in done
    ]
    if as_json:
        emit_json({"ok": True, "rounds": rows})
        return
    if not rows:
        click.echo("No reminders are due.")
    for row in rows:
        click.echo(
            f"{row['project']}/{row['survey']}: sent {row['sent']}, failed {row['failed']}, "
            f"skipped {row['skipped']}"
        )


@survey.command("status")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def survey_status(project_dir: Path | None, project: str, slug: str, as_json: bool) -> None:
    """Fieldwork of survey SLUG: counts by disposition, response rates, by country."""
    _setup(project_dir)
    from tillit.apps.surveys.frames import survey_counts

    counts = survey_counts(_survey(project, slug))
    if as_json:
        emit_json(counts)
        return
    synthetic = " (SYNTHETIC data)" if counts["synthetic"] else ""
    click.echo(f"{counts['title']}{synthetic}: {counts['status']}")
    click.echo(
        f"cases {counts['cases']}, contacts {counts['contacts']}, invited {counts['invited']}, "
        f"opened {counts['opened']}, partial {counts['partial']}, complete {counts['complete']}"
    )
    click.echo(f"response rate RR1 {_pct(counts['rr1'])}, RR2 {_pct(counts['rr2'])}")
    click.echo()
    emit_table(
        ["code", "disposition", "n"],
        [[code, d["label"], d["n"]] for code, d in counts["by_disposition"].items()],
    )
    click.echo()
    emit_table(
        ["country", "cases", "invited", "partial", "complete", "RR1"],
        [
            [c["label"], c["cases"], c["invited"], c["partial"], c["complete"], _pct(c["rr1"])]
            for c in counts["by_country"]
        ],
    )


@survey.command("bounce")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option("--email", default=None, help="The address that bounced.")
@click.option("--case-id", default=None, help="Or the case id.")
@user_option
def survey_bounce(
    project_dir: Path | None,
    project: str,
    slug: str,
    email: str | None,
    case_id: str | None,
    username: str | None,
) -> None:
    """Mark a contact of survey SLUG undeliverable (a bounced invitation)."""
    if bool(email) == bool(case_id):
        raise TillitError("Give --email or --case-id (one of them).", ErrorCode.USAGE)
    _setup(project_dir)
    from tillit.apps.surveys import services

    c = services.do_mark_bounced(
        _survey(project, slug), email=email, case_id=case_id, actor=_user(username)
    )
    click.echo(f"Case {c.case.case_id} is marked undeliverable.")


@survey.command("set-disposition")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.argument("case_id")
@click.argument("disposition")
@click.option("--reason", default="", help="Why (kept in the audit trail).")
@user_option
def survey_set_disposition(
    project_dir: Path | None,
    project: str,
    slug: str,
    case_id: str,
    disposition: str,
    reason: str,
    username: str | None,
) -> None:
    """Override the AAPOR DISPOSITION of CASE_ID (e.g. 2.11 or 4.10; 'auto' undoes it)."""
    _setup(project_dir)
    from tillit.apps.surveys import services
    from tillit.apps.surveys.models import Case

    case = Case.objects.filter(survey=_survey(project, slug), case_id=case_id).first()
    if case is None:
        raise NotFoundError(f"The survey has no case {case_id!r}.")
    c = services.do_set_disposition(case, disposition, actor=_user(username), reason=reason)
    click.echo(f"Case {c.case_id}: {c.get_disposition_display()} ({c.disposition}).")


@survey.command("export")
@dir_option
@click.argument("project")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File."
)
@click.option("--language", default=None, help="Label language (default: the survey's).")
@click.option(
    "--include-identity",
    is_flag=True,
    help="Add municipality, name and e-mail columns (needs --user with the owner role; audited).",
)
@user_option
def survey_export(
    project_dir: Path | None,
    project: str,
    slug: str,
    fmt: str,
    output: Path,
    language: str | None,
    include_identity: bool,
    username: str | None,
) -> None:
    """Export survey SLUG: data (CSV, SPSS, Stata), DDI codebook, or the XLSForm."""
    if include_identity and not username:
        raise TillitError(
            "--include-identity needs --user naming an owner of the project.", ErrorCode.USAGE
        )
    if output.parent and not output.parent.exists():
        raise TillitError(f"The folder {output.parent} does not exist.", ErrorCode.USAGE)
    _setup(project_dir)
    from tillit.apps.surveys import exports

    s = _survey(project, slug)
    with click.progressbar(length=3, label=f"Exporting {fmt}", file=sys.stderr) as bar:
        data = exports.export(
            s,
            fmt,
            language=language,
            include_identity=include_identity,
            actor=_user(username),
            progress=bar.update,
        )
        output.write_bytes(data.content)
    click.echo(f"Wrote {output} ({len(data.content):,} bytes).")


COMMANDS = [survey]
