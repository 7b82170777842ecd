"""Safe reading of zip archives: zip imports, and the XML parts inside DOCX and ODT files.

:func:`iter_zip` never trusts what an archive says about itself. Before anything is
decompressed it checks the central directory: the number of members, every member's declared
size and compression ratio, and the declared total. While reading it counts the bytes that
actually come out of the decompressor and stops as soon as a member exceeds its declared size
or the limits, so a member that lies about its size cannot inflate past them either.

The limits (:class:`Limits`) and the error (:class:`ExtractionError`) live here because the
extractor uses this module; :mod:`tillit.text.extract` re-exports both.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from tillit.errors import ErrorCode, TillitError

__all__ = ["REASONS", "ExtractionError", "Limits", "iter_zip", "safe_member_name"]

#: Every value :attr:`ExtractionError.reason` can take.
REASONS = (
    "encrypted",
    "corrupt",
    "empty",
    "too_large",
    "bomb",
    "unknown_encoding",
    "unsupported",
    "ocr_unavailable",
)
_CODES = {
    "encrypted": ErrorCode.CORRUPT_FILE,
    "corrupt": ErrorCode.CORRUPT_FILE,
    "empty": ErrorCode.CORRUPT_FILE,
    "bomb": ErrorCode.CORRUPT_FILE,
    "too_large": ErrorCode.INVALID_INPUT,
    "unknown_encoding": ErrorCode.INVALID_INPUT,
    "unsupported": ErrorCode.INVALID_INPUT,
    "ocr_unavailable": ErrorCode.EXTERNAL_TOOL,
}
#: Members smaller than this are not held to ``max_ratio`` (a page of spaces compresses 1000:1).
RATIO_FLOOR = 1 << 20
_CHUNK = 1 << 16


class ExtractionError(TillitError):
    """A document whose text cannot be extracted, with a stable :attr:`reason`.

    Parameters
    ----------
    message : str
        What is wrong and in which file.
    reason : str
        One of :data:`REASONS`; callers flag the document with it and go on with the batch.
    hint : str, optional
        What the user can do about it.
    filename : str, optional
        The file at fault (kept in :attr:`errors`).
    """

    def __init__(self, message: str, reason: str, hint: str = "", filename: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"reason={reason!r} is not one of {', '.join(REASONS)}")
        detail = {"reason": reason}
        if filename:
            detail["file"] = filename
        super().__init__(message, _CODES[reason], hint, [detail])
        self.reason = reason
        self.filename = filename


@dataclass(frozen=True)
class Limits:
    """Resource limits for one document or archive.

    Attributes
    ----------
    max_bytes : int
        Largest input file (checked before parsing).
    max_uncompressed : int
        Largest total of decompressed bytes read from one archive.
    max_ratio : float
        Largest decompressed/compressed ratio of a member bigger than :data:`RATIO_FLOOR`.
    max_pages : int
        Most pages of a PDF.
    max_members : int
        Most members of a zip archive.
    """

    max_bytes: int = 100 * 2**20
    max_uncompressed: int = 500 * 2**20
    max_ratio: float = 100.0
    max_pages: int = 5000
    max_members: int = 10_000


def safe_member_name(name: str) -> str:
    """A member name as a relative POSIX path without ``..``, ``.`` or drive letters.

    >>> safe_member_name("../../etc/passwd")
    'etc/passwd'
    >>> safe_member_name("C:\\\\docs\\\\møte.pdf")
    'docs/møte.pdf'
    """
    parts = PurePosixPath(name.replace("\\", "/")).parts
    kept = [p for p in parts if p not in ("", ".", "..", "/") and not p.endswith(":")]
    return "/".join(kept)


def _bomb(message: str, label: str) -> ExtractionError:
    return ExtractionError(
        f"{label}: {message}; refusing it as a possible decompression bomb",
        "bomb",
        "If the archive is genuine, unpack it yourself and import the files one by one.",
        label,
    )


def iter_zip(
    data: bytes | Path,
    *,
    limits: Limits,
    members: Container[str] | None = None,
    label: str = "",
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, content)`` for the files of a zip archive, safely.

    Parameters
    ----------
    data : bytes or Path
        The archive, in memory or on disk.
    limits : Limits
        ``max_bytes`` (the archive itself), ``max_members``, ``max_uncompressed`` (declared
        and actually read), ``max_ratio``.
    members : container of str, optional
        Only read these member names (as stored in the archive); all limits are still checked
        against the whole central directory.
    label : str, optional
        Name of the archive for messages (default: the path's name, or ``"archive"``).

    Yields
    ------
    (str, bytes)
        The member name made safe by :func:`safe_member_name` (directories and members whose
        name is empty after cleaning are skipped), and its content.

    Raises
    ------
    ExtractionError
        ``too_large`` (archive bigger than ``max_bytes``), ``bomb`` (too many members, a
        declared or actual size or ratio over the limits), ``encrypted`` (a password-protected
        member), ``corrupt`` (not a zip, truncated, bad CRC).
    """
    if isinstance(data, Path):
        label = label or data.name
        size = data.stat().st_size
    else:
        label = label or "archive"
        size = len(data)
    if size > limits.max_bytes:
        raise ExtractionError(
            f"{label}: {size:,} bytes is over the limit of {limits.max_bytes:,} bytes",
            "too_large",
            "Split the archive, or raise the size limit.",
            label,
        )
    source: IO[bytes] = data.open("rb") if isinstance(data, Path) else io.BytesIO(data)
    try:
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ExtractionError(
                f"{label}: not a readable zip archive ({exc})",
                "corrupt",
                "The file is damaged or truncated; download or export it again.",
                label,
            ) from exc
        with archive:
            yield from _members(archive, limits, members, label)
    finally:
        source.close()


def _members(
    archive: zipfile.ZipFile, limits: Limits, members: Container[str] | None, label: str
) -> Iterator[tuple[str, bytes]]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _bomb(f"{len(infos):,} members is over the limit of {limits.max_members:,}", label)
    declared_total = 0
    for info in infos:
        declared_total += info.file_size
        if info.file_size > limits.max_uncompressed:
            raise _bomb(
                f"member {info.filename!r} declares {info.file_size:,} bytes uncompressed, over "
                f"the limit of {limits.max_uncompressed:,}",
                label,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise _bomb(
                f"member {info.filename!r} declares a compression ratio of {ratio:,.0f}:1, over "
                f"the limit of {limits.max_ratio:,.0f}:1",
                label,
            )
    if declared_total > limits.max_uncompressed:
        raise _bomb(
            f"the members declare {declared_total:,} bytes uncompressed in total, over the "
            f"limit of {limits.max_uncompressed:,}",
            label,
        )
    read_total = 0
    for info in infos:
        if info.is_dir() or (members is not None and info.filename not in members):
            continue
        name = safe_member_name(info.filename)
        if not name:
            continue
        if info.flag_bits & 0x1:
            raise ExtractionError(
                f"{label}: member {info.filename!r} is encrypted",
                "encrypted",
                "Remove the password from the archive and import it again.",
                label,
            )
        content = _read_member(archive, info, limits, limits.max_uncompressed - read_total, label)
        read_total += len(content)
        yield name, content


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: int, label: str
) -> bytes:
    """Read one member in chunks, stopping as soon as it exceeds what it may hold."""
    cap = min(info.file_size, budget)
    chunks: list[bytes] = []
    n_read = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                n_read += len(chunk)
                if n_read > cap:
                    what = (
                        f"more than its declared {info.file_size:,} bytes"
                        if n_read > info.file_size
                        else f"more than the {limits.max_uncompressed:,} bytes allowed in total"
                    )
                    raise _bomb(f"member {info.filename!r} inflates to {what}", label)
                if n_read > RATIO_FLOOR and n_read / max(info.compress_size, 1) > limits.max_ratio:
                    raise _bomb(
                        f"member {info.filename!r} inflates beyond a ratio of "
                        f"{limits.max_ratio:,.0f}:1",
                        label,
                    )
                chunks.append(chunk)
    except ExtractionError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise ExtractionError(
            f"{label}: member {info.filename!r} cannot be read ({exc})",
            "corrupt",
            "The archive is damaged or truncated, or uses an unsupported compression method.",
            label,
        ) from exc
    return b"".join(chunks)
