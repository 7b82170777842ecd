"""Shared parts of the REFI-QDA reader and writers: limits, safe XML and ZIP, schemas, values.

Untrusted XML is parsed with lxml set up so that nothing outside the document is ever read
(``resolve_entities=False``, ``no_network=True``, ``load_dtd=False``) and any ``DOCTYPE`` is
refused before parsing, which rules out entity expansion bombs and external entities (XXE).
Schema errors are reported with their line, the element's path and lxml's message.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from tillit.errors import CorruptFileError, TillitError

__all__ = [
    "NS_CODEBOOK",
    "NS_PROJECT",
    "Limits",
    "SafeZip",
    "parse_untrusted",
    "validate_xml",
]

#: Namespace of ``project.qde`` (QDA-XML 1.0).
NS_PROJECT = "urn:QDA-XML:project:1.0"
#: Namespace of ``.qdc`` codebooks (QDA-XML 1.0).
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
SchemaName = Literal["project", "codebook"]
_SCHEMA_FILES = {"project": "Project.xsd", "codebook": "Codebook.xsd"}
_GUID = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?"
)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MIB = 2**20
_SCHEMA_LOCK = threading.Lock()
_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")


@dataclass(frozen=True)
class Limits:
    """What an import accepts; anything beyond is refused as a possible zip bomb.

    Attributes
    ----------
    max_bytes : int
        Size of the ``.qdpx`` archive (or ``.qdc`` file) itself.
    max_members : int
        Entries in the archive.
    max_member : int
        Uncompressed size of one member that is read (``project.qde``, a source's text).
    max_uncompressed : int
        Uncompressed size of all members read, together.
    max_ratio : float
        Uncompressed / compressed size of a member larger than 1 MiB.
    """

    max_bytes: int = 2 * 2**30
    max_members: int = 100_000
    max_member: int = 512 * _MIB
    max_uncompressed: int = 2 * 2**30
    max_ratio: float = 200.0


# --------------------------------------------------------------------------------------------
# schemas and XML


@functools.lru_cache(maxsize=2)
def _schema(name: SchemaName) -> Any:
    from lxml import etree

    data = resources.files("tillit.interop.refiqda").joinpath("schemas", _SCHEMA_FILES[name])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.fromstring(data.read_bytes(), parser))


def _located(log: Any) -> list[dict[str, Any]]:
    out = []
    for e in log:
        named = _ELEMENT.match(e.message or "")
        element = named.group(1) if named else (e.path or "").rsplit("/", 1)[-1]
        what = (e.message or "").rstrip(".")
        out.append({"line": e.line, "element": element, "path": e.path or "", "what": what})
    return out


def validate_xml(document: Any, schema: SchemaName) -> list[dict[str, Any]]:
    """Validate ``document`` (bytes or an lxml element/tree) against a shipped schema.

    Parameters
    ----------
    document : bytes or lxml element or tree
    schema : {"project", "codebook"}
        ``Project.xsd`` or ``Codebook.xsd`` (copies in ``refiqda/schemas``).

    Returns
    -------
    list of dict
        One ``{"line", "element", "path", "what"}`` per violation; empty when valid.
    """

    if isinstance(document, bytes):
        document = parse_untrusted(document, "XML document", schema=None)
    xsd = _schema(schema)
    with _SCHEMA_LOCK:  # one schema object is shared; its error_log is per object
        if xsd.validate(document):
            return []
        return _located(xsd.error_log)


def describe(errors: list[dict[str, Any]], limit: int = 5) -> str:
    """``line N, <element>: what`` for the first ``limit`` errors."""
    parts = [f"line {e['line']}, <{e['element']}>: {e['what']}" for e in errors[:limit]]
    more = f" (and {len(errors) - limit} more)" if len(errors) > limit else ""
    return "; ".join(parts) + more


def parse_untrusted(data: bytes, what: str, *, schema: SchemaName | None) -> Any:
    """Parse XML from anywhere: no DTD, no entities, no network; validate when asked.

    Raises
    ------
    CorruptFileError
        For a DOCTYPE or ENTITY declaration, XML that is not well-formed, or (with ``schema``)
        a schema violation; ``errors`` lists each violation with its line and element.
    """
    from lxml import etree

    head = data[:4]
    probe = data
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        probe = data.decode("utf-16", errors="replace").encode("utf-8")
    if _DOCTYPE.search(probe):
        raise CorruptFileError(
            f"{what} declares a DOCTYPE or entities, which are refused as unsafe "
            "(entity expansion and external entities).",
            hint="Export the file again from the QDA program; REFI-QDA files need no DTD.",
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CorruptFileError(
            f"{what} is not well-formed XML: {exc}.",
            hint="The file is damaged or not a REFI-QDA file; export it again.",
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise CorruptFileError(
            f"{what} declares a DOCTYPE, which is refused as unsafe.",
            hint="Export the file again from the QDA program; REFI-QDA files need no DTD.",
        )
    if schema is not None:
        errors = validate_xml(tree, schema)
        if errors:
            error = CorruptFileError(
                f"{what} does not follow the REFI-QDA schema {_SCHEMA_FILES[schema]}: "
                f"{describe(errors)}.",
                hint="Check the file in the program that wrote it, or export it again.",
            )
            error.errors = errors
            raise error
    return root


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", text)


# --------------------------------------------------------------------------------------------
# values


def norm_guid(value: str | None) -> str | None:
    """Lower case without braces; ``None`` stays ``None``."""
    if value is None:
        return None
    match = _GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else value


def norm_color(value: str | None) -> str | None:
    """``#rrggbb`` in lower case (``#rgb`` expanded); ``None`` stays ``None``."""
    if value is None:
        return None
    value = value.strip().lower()
    return "#" + "".join(ch * 2 for ch in value[1:]) if len(value) == 4 else value


def check_guid(value: str, where: str) -> str:
    """Raise a clear error unless ``value`` is a GUID (``8-4-4-4-12`` hex)."""
    if not isinstance(value, str) or not _GUID.fullmatch(value):
        raise TillitError(
            f"{where}: {value!r} is not a GUID (8-4-4-4-12 hexadecimal digits).",
            hint="Give every exported object a UUID (uuid.uuid4()) and keep it.",
        )
    return value.lower().strip("{}")


def format_datetime(value: datetime) -> str:
    """ISO 8601 for ``xsd:dateTime``; naive times are taken as UTC and written with ``Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_datetime(text: str) -> datetime:
    """Parse ``xsd:dateTime``; a time without a zone is taken as UTC."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python < 3.11 fromisoformat would choke on more than 6 fraction digits; cut them.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.utcoffset() == UTC.utcoffset(None):
        value = value.astimezone(UTC)
    return value


def format_date(value: date) -> str:
    """``xsd:date``."""
    return value.isoformat()


def format_decimal(value: float) -> str:
    """``xsd:decimal`` (no exponent) that reads back as the same float."""
    return format(Decimal(repr(float(value))), "f")


def parse_bool(text: str) -> bool:
    """``xsd:boolean``: true, false, 1, 0."""
    return text.strip() in ("true", "1")


# --------------------------------------------------------------------------------------------
# ZIP


def _data_of(source: str | Path | bytes | IO[bytes], limits: Limits, what: str) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise TillitError(f"{path} is not a file.", hint="Check the path.")
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise _too_large(what, size, limits.max_bytes)
        data = path.read_bytes()
    else:
        data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_large(what, len(data), limits.max_bytes)
    return data


def read_input(source: str | Path | bytes | IO[bytes], limits: Limits, what: str) -> bytes:
    """The bytes of ``source`` (a path, bytes or a binary file), at most ``limits.max_bytes``."""
    return _data_of(source, limits, what)


def _too_large(what: str, size: int, limit: int) -> TillitError:
    return CorruptFileError(
        f"{what} is {size:,} bytes, more than the limit of {limit:,}.",
        hint="Split the project, or raise the limit (Limits.max_bytes) if you trust the file.",
    )


def _unsafe_name(name: str) -> bool:
    if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part in ("..",) for part in PurePosixPath(name).parts)


class SafeZip:
    """A ZIP archive checked for bombs and traversal; members are read with size caps.

    Every member name is checked (no ``..``, no absolute paths, no drive letters or
    backslashes), the number of members is capped, and a member is only decompressed up to
    its declared size and ``limits.max_member``, with the ratio checked on what was read.
    """

    def __init__(self, data: bytes, limits: Limits, what: str) -> None:
        self.limits = limits
        self.what = what
        self._read_total = 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise CorruptFileError(
                f"{what} is not a ZIP archive ({exc}).",
                hint="A .qdpx file is a ZIP with project.qde and a sources folder; "
                "export it again.",
            ) from None
        if len(infos) > limits.max_members:
            raise CorruptFileError(
                f"{what} has {len(infos):,} members, more than the limit of "
                f"{limits.max_members:,}.",
                hint="Raise Limits.max_members if you trust the file.",
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if _unsafe_name(info.filename):
                raise CorruptFileError(
                    f"{what} has a member with an unsafe name {info.filename!r} "
                    "(absolute path or '..').",
                    hint="The archive may be malicious; do not extract it. Export it again.",
                )
            if info.flag_bits & 0x1:
                raise CorruptFileError(
                    f"{what}: member {info.filename!r} is encrypted.",
                    hint="Export the project without a password.",
                )
            key = info.filename.casefold()
            if key in self.members and not key.endswith("/"):
                raise CorruptFileError(
                    f"{what} has two members named {info.filename!r} (letter case ignored).",
                    hint="The archive is ambiguous; export the project again.",
                )
            self.members[key] = info

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The member called ``name`` (case-insensitive, ``Sources/`` = ``sources/``)."""
        return self.members.get(name.casefold())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """Decompress one member, refusing bombs."""
        limits = self.limits
        declared = info.file_size
        name = info.filename
        if declared > limits.max_member:
            raise self._bomb(f"member {name!r} declares {declared:,} bytes uncompressed", "")
        cap = min(declared, limits.max_member)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise CorruptFileError(
                f"{self.what}: member {name!r} cannot be read ({exc}).",
                hint="The archive is damaged; export it again.",
            ) from None
        if len(data) > declared:
            raise self._bomb(f"member {name!r} holds more data than its declared size", "")
        size = len(data)
        if size > _MIB and size > limits.max_ratio * max(info.compress_size, 1):
            raise self._bomb(
                f"member {name!r} expands {size / max(info.compress_size, 1):,.0f} times",
                " (Limits.max_ratio)",
            )
        self._read_total += size
        if self._read_total > limits.max_uncompressed:
            raise self._bomb(
                f"the members read expand to more than {limits.max_uncompressed:,} bytes",
                " (Limits.max_uncompressed)",
            )
        return data

    def _bomb(self, what: str, which: str) -> TillitError:
        return CorruptFileError(
            f"{self.what} looks like a zip bomb: {what}.",
            hint=f"Refused. Raise the limit{which} only if you trust the file.",
        )
