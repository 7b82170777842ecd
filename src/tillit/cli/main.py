"""The ``tillit`` command: a thin click group over services and the pure library.

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. Commands that print
data take ``--json``; errors then come as ``{"ok": false, "error", "code", "hint", "errors"}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

import tillit
from tillit.errors import ErrorCode, TillitError

EXIT_RUNTIME = 1
EXIT_USAGE = 2


class TillitGroup(click.Group):
    """Turns :class:`TillitError` into a message (or JSON) and the right exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TillitError as exc:
            code = EXIT_USAGE if exc.code in {ErrorCode.USAGE, ErrorCode.CONFIG} else EXIT_RUNTIME
            if "--json" in sys.argv[1:] or ctx.meta.get("tillit.json"):
                click.echo(json.dumps(exc.as_json(), ensure_ascii=False))
            else:
                click.secho(f"Error: {exc.message}", err=True, fg="red")
                if exc.hint:
                    click.echo(exc.hint, err=True)
            ctx.exit(code)


@click.group(cls=TillitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tillit.__version__, prog_name="tillit")
def cli() -> None:
    """tillit: research platform for trust-based governance in Nordic municipalities.

    Start with `tillit demo`, or `tillit init DIR` for a project of your own.
    """


def _register() -> None:
    from tillit.cli import (
        analyze,
        backup,
        demo,
        instrument,
        project,
        registry,
        serve,
        survey,
        taxonomy,
    )

    for module in (project, demo, serve, backup):
        for command in module.COMMANDS:
            cli.add_command(command)
    cli.add_command(registry.registry)
    cli.add_command(taxonomy.taxonomy)
    cli.add_command(instrument.instrument)
    cli.add_command(survey.survey)
    cli.add_command(analyze.analyze)
    # Module CLIs that expose a COMMANDS list (each command a click command or group).
    from tillit.cli import cases, corpus, model, qca, qda, reforms, report

    for module in (reforms, corpus, qda, qca, model, cases, report):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="tillit")


if __name__ == "__main__":
    main()
