"""Import batches: files, folders (recursive), zip files, lists of URLs, and a CSV manifest.

Each item is committed on its own through :func:`services.do_import_document`, so a crash
mid-batch loses nothing already done and a re-run skips what is there (same content hash, or a
URL already imported). A document whose extraction fails is stored as flagged with its reason and
the batch goes on; a URL that cannot be fetched is reported as ``failed`` and not stored, so the
next run tries it again.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from tillit.apps.core.models import Project
from tillit.apps.corpus import services
from tillit.apps.corpus.models import Document
from tillit.apps.corpus.services import ImportOutcome, Metadata
from tillit.errors import ErrorCode, TillitError

MANIFEST_COLUMNS = ("filename", "url", "municipality", "date", "doc_type", "title", "source_url")
MAX_MANIFEST_BYTES = 5 * 2**20


@dataclass
class Item:
    """One thing to import: bytes already read, a path to read, or a URL to fetch."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    url: str = ""
    meta: Metadata | None = None


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def read_url_list(data: bytes) -> list[str]:
    """URLs, one a line; blank lines and lines starting with # are skipped."""
    text = data.decode("utf-8-sig", errors="replace")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def read_manifest(data: bytes, *, where: str = "manifest") -> list[dict[str, str]]:
    """Rows of a CSV manifest (comma or semicolon), keyed by the known column names."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise TillitError(
            f"{where} is larger than {MAX_MANIFEST_BYTES // 2**20} MB.",
            ErrorCode.INVALID_INPUT,
            hint="Split the manifest into smaller files.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TillitError(
            f"{where} is not UTF-8 (byte {exc.start}).",
            ErrorCode.INVALID_INPUT,
            hint="Save the manifest as CSV UTF-8.",
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower().replace(" ", "_") for h in reader.fieldnames or []]
    if not ({"filename", "url"} & set(header)):
        raise TillitError(
            f"{where} has no 'filename' or 'url' column (columns: {', '.join(header)}).",
            ErrorCode.INVALID_INPUT,
            hint="The first line names the columns: filename or url, then municipality, date, "
            "doc_type, title.",
        )
    rows = []
    for raw in reader:
        row = {
            (k or "").strip().lower().replace(" ", "_"): (v or "").strip() for k, v in raw.items()
        }
        rows.append({c: row.get(c, "") for c in MANIFEST_COLUMNS})
    return rows


def _meta(row: dict[str, str]) -> Metadata:
    return Metadata(
        municipality=row["municipality"],
        date=row["date"] or None,
        doc_type=row["doc_type"],
        title=row["title"],
        source_url=row["source_url"] or row["url"],
    )


def items_from_manifest(rows: list[dict[str, str]], base: Path | None) -> list[Item]:
    items = []
    for row in rows:
        if row["url"]:
            items.append(Item(row["url"], url=row["url"], meta=_meta(row)))
        elif row["filename"]:
            path = Path(row["filename"])
            if base is not None and not path.is_absolute():
                path = base / path
            items.append(Item(row["filename"], path=path, meta=_meta(row)))
    return items


def items_from_paths(paths: list[Path]) -> Iterator[Item]:
    """Files as given; folders recursively (sorted, hidden files skipped)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield Item(str(f), path=f)
        else:
            yield Item(str(p), path=p)


def manifest_lookup(rows: list[dict[str, str]]) -> dict[str, Metadata]:
    out: dict[str, Metadata] = {}
    for row in rows:
        key = row["filename"] or row["url"]
        if key:
            out[key] = _meta(row)
            out.setdefault(Path(key).name, _meta(row))
    return out


@dataclass
class Importer:
    """Runs a batch. ``defaults`` apply to every item; a manifest row overrides them."""

    project: Project
    actor: AbstractBaseUser | None
    defaults: Metadata
    manifest: dict[str, Metadata] | None = None
    ocr: bool = False
    synthetic: bool = False
    limits: Any = None
    on_item: Callable[[ImportOutcome], None] | None = None
    #: False on a shared server: refuse URLs that resolve to loopback or private addresses.
    allow_private: bool = True

    def __post_init__(self) -> None:
        from tillit.text.extract import Limits

        self.limits = self.limits or Limits()
        self.outcomes: list[ImportOutcome] = []

    def _meta_for(self, item: Item, name: str) -> Metadata:
        meta = self.defaults.merged(item.meta)
        if self.manifest:
            row = self.manifest.get(name) or self.manifest.get(Path(name).name)
            meta = meta.merged(row)
        return meta

    def _emit(self, outcome: ImportOutcome) -> None:
        self.outcomes.append(outcome)
        if self.on_item is not None:
            self.on_item(outcome)

    def run(self, items: list[Item] | Iterator[Item]) -> list[ImportOutcome]:
        for item in items:
            try:
                self._one(item)
            except TillitError as exc:  # bad metadata, unreadable path: report, go on
                self._emit(
                    ImportOutcome(item.name, "failed", reason=str(exc.code), message=exc.message)
                )
        return self.outcomes

    def _store(self, name: str, data: bytes, meta: Metadata, **kw: Any) -> None:
        self._emit(
            services.do_import_document(
                self.project,
                filename=name,
                data=data,
                actor=self.actor,
                meta=meta,
                synthetic=self.synthetic,
                ocr=self.ocr,
                limits=self.limits,
                **kw,
            )
        )

    def _one(self, item: Item) -> None:
        if item.url:
            self._url(item)
            return
        meta = self._meta_for(item, item.name)
        meta.checked()  # located error before reading a large file
        data = item.data
        if data is None:
            assert item.path is not None
            data = self._read(item, meta)
            if data is None:
                return
        if _looks_like_zip(item.name, data):
            self._zip(item.name, data, meta)
            return
        self._store(Path(item.name).name if item.path else item.name, data, meta)

    def _read(self, item: Item, meta: Metadata) -> bytes | None:
        assert item.path is not None
        try:
            size = item.path.stat().st_size
        except OSError as exc:
            raise TillitError(
                f"Cannot read {item.path}: {exc.strerror}.",
                ErrorCode.NOT_FOUND,
                hint="Check the path.",
            ) from exc
        if size > self.limits.max_bytes:
            sha = _refused_key(item.path, size)
            self._store(
                item.path.name,
                b"",
                meta,
                flag=(
                    "too_large",
                    f"{item.path.name} is {size / 2**20:.0f} MB, more than the limit of "
                    f"{self.limits.max_bytes / 2**20:.0f} MB. Split it, or raise the limit.",
                ),
                sha256=sha,
                size=size,
            )
            return None
        return item.path.read_bytes()

    def _zip(self, name: str, data: bytes, meta: Metadata) -> None:
        from tillit.text.archive import iter_zip
        from tillit.text.extract import ExtractionError

        base = Path(name).name
        try:
            for member, content in iter_zip(data, limits=self.limits):
                if member.endswith("/") or Path(member).name.startswith("."):
                    continue
                full = f"{base}/{member}"
                member_meta = self._meta_for(Item(full), member)
                try:
                    member_meta.checked()
                except TillitError as exc:
                    self._emit(
                        ImportOutcome(full, "failed", reason=str(exc.code), message=exc.message)
                    )
                    continue
                self._store(full, content, member_meta)
        except ExtractionError as exc:
            # The archive itself is refused (a bomb, too many members, corrupt): keep it flagged.
            self._store(base, data, meta, flag=(exc.reason, f"{exc.message} {exc.hint}".strip()))

    def _url(self, item: Item) -> None:
        from tillit.text.fetch import FetchError, fetch

        meta = self._meta_for(item, item.url).merged(Metadata(source_url=item.url))
        meta.checked()
        existing = Document.objects.filter(project=self.project, source_url=item.url).first()
        if existing is not None:
            self._emit(
                ImportOutcome(
                    item.url,
                    "duplicate",
                    existing.sha256,
                    existing.pk,
                    message=f"This address is already in the corpus as document {existing.pk}.",
                )
            )
            return
        try:
            got = fetch(item.url, max_bytes=self.limits.max_bytes, allow_private=self.allow_private)
        except FetchError as exc:
            self._emit(ImportOutcome(item.url, "failed", reason="fetch", message=exc.message))
            return
        name = _url_filename(got.final_url, got.content_type)
        media = (got.content_type or "").split(";")[0].strip() or None
        if not meta.doc_type and media in ("text/html", "application/xhtml+xml"):
            meta.doc_type = "web_page"
        self._store(name, got.data, meta, media_type=_known_media(media))


def _known_media(media: str | None) -> str | None:
    known = {
        "application/pdf",
        "text/html",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    }
    return media if media in known else None


def _url_filename(url: str, content_type: str) -> str:
    from urllib.parse import urlsplit

    path = urlsplit(url).path.rstrip("/")
    name = path.rsplit("/", 1)[-1] if path else ""
    if "." not in name:
        ext = ".html" if "html" in (content_type or "") else ""
        name = (name or urlsplit(url).hostname or "page") + ext
    return name


def _looks_like_zip(name: str, data: bytes) -> bool:
    from tillit.text.extract import ZIP, sniff_media_type

    return sniff_media_type(data, name) == ZIP


def _refused_key(path: Path, size: int) -> str:
    """The key of a file refused as too large: SHA-256 over its size, name and first and last
    MiB, not its whole content (hashing 500 MB for a file that is not kept costs seconds). A
    re-run finds the same key and skips the file."""
    h = hashlib.sha256(b"tillit:too_large:%d:" % size + path.name.encode())
    with path.open("rb") as f:
        h.update(f.read(2**20))
        f.seek(max(0, size - 2**20))
        h.update(f.read(2**20))
    return h.hexdigest()


def summarise(outcomes: list[ImportOutcome]) -> dict[str, int]:
    counts = {"imported": 0, "flagged": 0, "duplicate": 0, "failed": 0}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return counts
