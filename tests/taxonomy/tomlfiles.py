"""Small taxonomy TOML files for tests: six valid roots plus whatever a test adds."""

from __future__ import annotations

from tillit.taxonomy import BRANCHES


def concept(cid: str, parent: str | None = None, *, extra: str = "", skip: str = "") -> str:
    """One [[concept]] table; `skip` drops lines containing it, `extra` adds lines."""
    lines = [
        "[[concept]]",
        f'id = "{cid}"',
        f'parent = "{parent}"' if parent else "",
        f'label.nb = "{cid} nb"',
        f'label.nn = "{cid} nn"',
        f'label.da = "{cid} da"',
        f'label.sv = "{cid} sv"',
        f'label.en = "{cid} en"',
        f'definition.en = "{cid} defined."',
        f'definition.nb = "{cid} definert."',
    ]
    kept = [line for line in lines if line and not (skip and skip in line)]
    return "\n".join([*kept, extra]).strip() + "\n"


HEADER = (
    'version = "2026.11.0"\nreleased = 2026-11-26\nlanguages = ["nb", "nn", "da", "sv", "en"]\n'
)
ROOTS = "".join(concept(root) for root in BRANCHES)


def write(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "taxonomy.toml"
    path.write_text(header + "\n" + ROOTS + body, encoding="utf-8")
    return path
