"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (QDA-XML 1.0, REFI-QDA 1.5).

Pure library (no Django). The data model is in :mod:`~tillit.interop.refiqda.model`:

* :func:`write_qdpx` / :func:`read_qdpx` — a whole project (``project.qde`` plus the plain
  text of every source under ``sources/``), validated against ``Project.xsd``;
* :func:`write_qdc` / :func:`read_qdc` — a codebook, validated against ``Codebook.xsd``;
* :class:`Limits` — what an import accepts (archive size, members, compression ratio).

Reading is safe for files from anywhere: zip bombs, path traversal, DTDs and entities, schema
violations, dangling references and invalid offsets are refused with a located
:class:`~tillit.errors.TillitError`, and nothing is returned partially. The schemas ship in
``schemas/`` (see its README for provenance and licence).
"""

from tillit.interop.refiqda.common import Limits, validate_xml
from tillit.interop.refiqda.model import (
    Case,
    Code,
    Codebook,
    Coding,
    Note,
    NoteRef,
    QdaProject,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
)
from tillit.interop.refiqda.offsets import Reading
from tillit.interop.refiqda.qdc import read_qdc, write_qdc
from tillit.interop.refiqda.reader import read_qdpx
from tillit.interop.refiqda.writer import write_qdpx

__all__ = [
    "Case",
    "Code",
    "Codebook",
    "Coding",
    "Limits",
    "Note",
    "NoteRef",
    "QdaProject",
    "Reading",
    "Selection",
    "Set",
    "TextSource",
    "User",
    "Variable",
    "read_qdc",
    "read_qdpx",
    "validate_xml",
    "write_qdc",
    "write_qdpx",
]
