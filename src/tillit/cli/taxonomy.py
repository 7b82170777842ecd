"""`tillit taxonomy ...` (filled by the taxonomy slice)."""

import click


@click.group()
def taxonomy() -> None:
    """The shared concept taxonomy: list and show concepts."""
