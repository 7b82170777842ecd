"""Checking register values against the registry and the taxonomy (no database access).

Every check raises :class:`FieldError`, a :class:`tillit.errors.TillitError` that names the
field, so that services report one problem and the import reports every problem of a file with
its row and column.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from tillit import registry
from tillit.errors import ErrorCode, TillitError
from tillit.registry import Municipality
from tillit.registry.normalise import code_forms, parse_country
from tillit.taxonomy import Taxonomy, load_taxonomy

#: Years an initiative may start in.
FIRST_YEAR = 1970
LAST_YEAR = 2100
#: Longest notes, quotes and descriptions (characters): a spreadsheet cell holds 32,767.
MAX_TEXT = 10_000
MAX_TITLE = 300

#: Taxonomy branches each list field may point into.
CONCEPT_BRANCHES: dict[str, tuple[str, ...]] = {
    "sectors": ("sector", "actor"),
    "measures": ("measure",),
    "problem_perceptions": ("motive",),
}

DECIDED_BY = ("council", "executive", "sector", "other", "unknown")
SCOPES = ("whole", "sector", "pilot", "unit")
STATUSES = ("suggested", "planned", "active", "ended", "abandoned", "rejected")
EVIDENCE_KINDS = ("passage", "document", "survey", "interview", "url", "other")
EVENT_COUNTRIES = ("NO", "DK", "SE", "all")
EVENT_KINDS = ("agreement", "platform", "programme", "guidance", "law", "debate", "other")

_LIST_SPLIT = re.compile(r"[;\n]")


@dataclass
class FieldError(TillitError):
    """A bad value of one field; ``field`` names it (a register column)."""

    field: str = ""
    value: str = ""


def problem(field_name: str, value: Any, message: str, hint: str = "") -> FieldError:
    return FieldError(
        message,
        ErrorCode.INVALID_INPUT,
        hint,
        [{"field": field_name, "value": str(value)[:80], "message": message, "hint": hint}],
        field=field_name,
        value=str(value)[:80],
    )


@functools.cache
def taxonomy() -> Taxonomy:
    return load_taxonomy()


# ----------------------------------------------------------------------------------------------
# municipalities


@dataclass(frozen=True)
class Resolved:
    """A municipality found from what a user wrote, and how (for a note to the user)."""

    municipality: Municipality
    via: str = ""
    warnings: tuple[str, ...] = field(default=())


def resolve_municipality(
    code: str | int | None = None,
    name: str | None = None,
    country: str | None = None,
    year: int | None = None,
) -> Resolved:
    """Find the current municipality from a code (current or old) or a name.

    An old code (e.g. Bergen's 1201 before 2020) is crosswalked as used in ``year`` (the start
    year), or else in the last year it was in use; a code whose unit was split is refused,
    since the register cannot know which successor is meant.
    """
    try:
        wanted = parse_country(country) if country else None
    except TillitError:
        raise problem(
            "country", country, f"Unknown country {country!r}.", "Use NO or DK."
        ) from None
    code_text = "" if code is None else str(code).strip()
    name_text = (name or "").strip()
    if not code_text and name_text.isascii() and name_text.isdigit():
        code_text, name_text = name_text, ""  # a code written where a name was expected
    if code_text:
        m = _by_code(code_text, wanted, year)
        if name_text and not _same_name(m.municipality, name_text):
            raise problem(
                "municipality",
                name_text,
                f"Code {code_text} is {m.municipality.name} ({m.municipality.country}), "
                f"not {name_text}.",
                "Correct the code or the name, or leave one of them empty.",
            )
        return m
    if not name_text:
        raise problem(
            "municipality_code",
            "",
            "The municipality is missing.",
            "Give its code (0301, 101) or its name (Oslo, København).",
        )
    found = registry.find(name_text, country=wanted)
    if len(found) == 1:
        return Resolved(found[0], via=f"name {name_text!r}")
    if len(found) > 1:
        listing = ", ".join(f"{m.code} {m.label} ({m.country})" for m in found)
        raise problem(
            "municipality",
            name_text,
            f"{name_text!r} names more than one municipality: {listing}.",
            "Give the municipality code instead.",
        )
    hits = registry.search(name_text, limit=3, country=wanted)
    close = ", ".join(f"{h.municipality.name} ({h.municipality.code})" for h in hits)
    raise problem(
        "municipality",
        name_text,
        f"No municipality is called {name_text!r}.",
        f"Did you mean {close}?" if close else "Check the spelling, or give the code.",
    )


def _same_name(m: Municipality, name: str) -> bool:
    keys = {registry.name_key(n) for n in m.all_names}
    return registry.name_key(name) in keys or m in registry.find(name)


def _by_code(code: str, country: str | None, year: int | None) -> Resolved:
    reg = registry.default_registry()
    try:
        return Resolved(reg.get(code, country))
    except TillitError as exc:
        if exc.code == ErrorCode.AMBIGUOUS:
            raise problem(
                "municipality_code",
                code,
                f"Code {code} is a municipality in both Norway and Denmark.",
                "Fill in the country column (NO or DK).",
            ) from None
        if not code.isascii() or not code.isdigit() or len(code) > 4:
            raise problem(
                "municipality_code",
                code,
                f"{code!r} is not a municipality code.",
                "Codes are 3 or 4 digits (0301 Oslo, 101 København); or give the name instead.",
            ) from None
    return _crosswalk_old(code, country, year)


def _crosswalk_old(code: str, country: str | None, year: int | None) -> Resolved:
    reg = registry.default_registry()
    candidates: list[Resolved] = []
    for c in ("NO", "DK") if country is None else (country,):
        last = reg.crosswalker.logs[c].last_use(code_forms(code, 4 if c == "NO" else 3))
        if last is None:
            continue
        old_name, last_year = last
        when = year if year is not None and year <= last_year else last_year
        try:
            result = reg.crosswalk(code, when, c)
        except TillitError:
            result = reg.crosswalk(code, last_year, c)
            when = last_year
        if result.is_split or len(result.successors) != 1:
            names = ", ".join(f"{m.code} {m.name}" for m in result.successors)
            raise problem(
                "municipality_code",
                code,
                f"Old code {code} ({old_name}, {c}, {when}) was divided between {names}.",
                "Give the current code of the municipality the initiative belongs to.",
            )
        new = result.successors[0]
        candidates.append(
            Resolved(
                new,
                via=f"old code {code} ({old_name}, {when})",
                warnings=(f"Old code {code} ({old_name}, {when}) is now {new.code} {new.name}.",),
            )
        )
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise problem(
            "municipality_code",
            code,
            f"Old code {code} was used in both Norway and Denmark.",
            "Fill in the country column (NO or DK).",
        )
    raise problem(
        "municipality_code",
        code,
        f"No municipality has or had code {code}.",
        "Check the code with `tillit registry show CODE`, or give the name instead.",
    )


# ----------------------------------------------------------------------------------------------
# other fields


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """``"a; b;c"`` or ``["a", " b"]`` -> ``["a", "b", "c"]`` (blanks and repeats dropped)."""
    if value is None:
        return []
    items = _LIST_SPLIT.split(value) if isinstance(value, str) else list(value)
    return list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))


def check_concepts(field_name: str, value: str | Iterable[str] | None) -> list[str]:
    """Concept ids of the branch(es) ``field_name`` allows; unknown or misplaced ids raise."""
    ids = split_list(value)
    branches = CONCEPT_BRANCHES[field_name]
    tax = taxonomy()
    for cid in ids:
        if cid not in tax:
            close = [c for c in tax.suggest(cid) if c.split(".", 1)[0] in branches]
            hint = f"Did you mean {' or '.join(close)}? " if close else ""
            raise problem(
                field_name,
                cid,
                f"{cid!r} is not a concept of taxonomy {tax.version}.",
                hint + f"Use ids under {' or '.join(branches)} (`tillit taxonomy list`).",
            )
        concept = tax.get(cid)
        if concept.branch not in branches:
            raise problem(
                field_name,
                cid,
                f"{cid!r} is a {concept.branch} concept, not one of {', '.join(branches)}.",
                f"Use ids under {' or '.join(branches)}.",
            )
        if concept.deprecated:
            hint = f"Use {concept.replaced_by}." if concept.replaced_by else "Choose another."
            raise problem(field_name, cid, f"{cid!r} is withdrawn from the taxonomy.", hint)
    return ids


def check_year(field_name: str, value: Any, first: int = FIRST_YEAR) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit() or not first <= int(text) <= LAST_YEAR:
        raise problem(
            field_name,
            value,
            f"{text!r} is not a year from {first} to {LAST_YEAR}.",
            "Write the year with four digits, e.g. 2019, or leave it empty.",
        )
    return int(text)


def check_date(field_name: str, value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise problem(
            field_name,
            value,
            f"{value!r} is not a date.",
            "Write it as YYYY-MM-DD, e.g. 2019-03-14, or leave it empty.",
        ) from None


def check_start(start_year: Any, start_date: Any) -> tuple[int | None, dt.date | None]:
    """Start year and date; the year is taken from the date, and they must agree."""
    year = check_year("start_year", start_year)
    date = check_date("start_date", start_date)
    if date is not None:
        if year is not None and year != date.year:
            raise problem(
                "start_year",
                year,
                f"The start year {year} differs from the start date {date.isoformat()}.",
                "Correct one of them, or leave the year empty.",
            )
        if not FIRST_YEAR <= date.year <= LAST_YEAR:
            raise problem(
                "start_date",
                date,
                f"The start date {date.isoformat()} is not from {FIRST_YEAR} to {LAST_YEAR}.",
            )
        year = date.year
    return year, date


def check_choice(field_name: str, value: Any, allowed: tuple[str, ...], default: str = "") -> str:
    text = str(value or "").strip()
    if not text:
        if default or "" in allowed:
            return default
        raise problem(field_name, text, f"The {field_name} is missing.", _choices_hint(allowed))
    for a in allowed:
        if text.lower() == a.lower():
            return a
    raise problem(field_name, text, f"{text!r} is not a {field_name}.", _choices_hint(allowed))


def _choices_hint(allowed: tuple[str, ...]) -> str:
    return "Use one of: " + ", ".join(a for a in allowed if a) + "."


def check_text(field_name: str, value: Any, limit: int = MAX_TEXT, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise problem(field_name, text, f"The {field_name} is missing.", "Fill it in.")
    if len(text) > limit:
        raise problem(
            field_name,
            text[:40],
            f"The {field_name} is {len(text):,} characters long; at most {limit:,} are allowed.",
            "Shorten it.",
        )
    return text


_URL = URLValidator(schemes=["http", "https"])


def check_url(field_name: str, value: Any, required: bool = False) -> str:
    text = check_text(field_name, value, 1000, required=required)
    if text:
        try:
            _URL(text)
        except ValidationError:
            raise problem(
                field_name,
                text,
                f"{text!r} is not a web address.",
                "Write it in full, starting with https:// or http://.",
            ) from None
    return text


def check_evidence(spec: dict[str, Any]) -> dict[str, Any]:
    """A clean evidence spec (see the contract's ``EvidenceSpec``)."""
    kind = check_choice("kind", spec.get("kind"), EVIDENCE_KINDS)
    out: dict[str, Any] = {
        "kind": kind,
        "ref": check_text("ref", spec.get("ref"), 300),
        "start": _offset("start", spec.get("start")),
        "end": _offset("end", spec.get("end")),
        "quote": check_text("quote", spec.get("quote")),
        "title": check_text("title", spec.get("title"), 500),
        "url": check_url("url", spec.get("url")),
        "note": check_text("note", spec.get("note")),
    }
    unknown = set(spec) - set(out)
    if unknown:
        raise problem(
            "evidence",
            ", ".join(sorted(unknown)),
            f"Unknown evidence fields: {', '.join(sorted(unknown))}.",
            "Use kind, ref, start, end, quote, title, url and note.",
        )
    if (out["start"] is None) != (out["end"] is None):
        raise problem("end", out["end"], "Give both start and end offsets, or neither.")
    if out["start"] is not None and out["end"] < out["start"]:
        raise problem(
            "end", out["end"], f"The end offset {out['end']} is before the start {out['start']}."
        )
    if kind in ("passage", "document") and not out["ref"]:
        raise problem(
            "ref", "", f"Evidence of kind {kind} needs a reference (the document's SHA-256)."
        )
    if kind == "url" and not out["url"]:
        raise problem("url", "", "Evidence of kind url needs a web address.")
    if not any(out[k] for k in ("ref", "url", "quote", "title", "note")):
        raise problem("ref", "", "The evidence is empty.", "Give a reference, address or quote.")
    return out


def _offset(field_name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if not text.strip().isdigit():
        raise problem(
            field_name, value, f"{value!r} is not a character offset.", "Use a whole number ≥ 0."
        )
    return int(text.strip())
