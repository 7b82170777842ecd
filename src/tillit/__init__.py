"""tillit: an open research platform for studying trust-based governance in Nordic municipalities.

The package has two halves (see ARCHITECTURE.md):

* the pure library (:data:`PURE_PACKAGES`), plain Python, numpy and pandas, never Django;
* the Django platform (``tillit.web`` and ``tillit.apps``) and the CLI (``tillit.cli``).
"""

__version__ = "0.1.0"

#: Packages that must import and work without Django installed or configured.
PURE_PACKAGES: tuple[str, ...] = (
    "tillit.errors",
    "tillit.config",
    "tillit.registry",
    "tillit.taxonomy",
    "tillit.charts",
    "tillit.analysis",
    "tillit.instruments",
    "tillit.text",
    "tillit.interop",
    "tillit.qca",
    "tillit.qda",
    "tillit.sem",
    "tillit.disclosure",
)
