"""`tillit registry ...` (filled by the registry slice)."""

import click


@click.group()
def registry() -> None:
    """Municipalities of Norway and Denmark: list, look up, crosswalk old codes."""
