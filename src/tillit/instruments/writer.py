"""Writing instruments as XLSForm ``.xlsx`` workbooks (pure library).

Use :func:`tillit.instruments.xlsform.write_xlsform`; this module holds its implementation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from tillit.instruments.columns import DEFAULT_LANGUAGE_NAMES
from tillit.instruments.model import Group, Instrument, Question


def _language_header(instrument: Instrument, key: str, code: str) -> str:
    if code == "default":
        return key
    name = instrument.language_names.get(code) or DEFAULT_LANGUAGE_NAMES.get(code) or code
    return f"{key}::{name}"


def _codes(instrument: Instrument, texts: list[Mapping[str, str]]) -> list[str]:
    used = {code for t in texts for code, value in t.items() if value}
    ordered = [c for c in instrument.languages if c in used]
    return ordered + sorted(used - set(ordered))


def _survey_rows(items: tuple[Question | Group, ...]) -> Iterator[dict[str, object]]:
    for item in items:
        if isinstance(item, Group):
            yield {"type": "begin group", "item": item}
            yield from _survey_rows(item.children)
            yield {"type": "end group", "name": item.name}
        else:
            written: str = item.type
            if item.list_name is not None:
                written = f"{written} {item.list_name}" + (" or_other" if item.or_other else "")
            yield {"type": written, "item": item}


def _cells(values: list[str]) -> list[object]:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [ILLEGAL_CHARACTERS_RE.sub("", v) for v in values]


def write_xlsform(instrument: Instrument, path_or_buffer: str | Path | IO[bytes]) -> None:
    """Write an instrument as an XLSForm ``.xlsx`` with survey, choices and settings sheets.

    Parameters
    ----------
    instrument : Instrument
    path_or_buffer : str, Path or binary file
        Where to write the workbook.

    Notes
    -----
    Language columns are written ``label::<name>`` with the names in
    ``instrument.language_names`` (or e.g. ``Norsk bokmål (nb)`` for a code without one); the
    unlanguaged ``"default"`` texts go to plain ``label``/``hint`` columns. Every cell is written
    as text, so a label starting with ``=`` never becomes a formula.
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)

    def put(sheet: object, headers: list[str], rows: list[list[str]]) -> None:
        for values in [headers, *rows]:
            cells = []
            for text in _cells(values):
                cell = WriteOnlyCell(sheet, value=text or None)
                if text:
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)  # type: ignore[attr-defined]

    put(book.create_sheet("survey"), *_survey_table(instrument))
    put(book.create_sheet("choices"), *_choices_table(instrument))
    put(book.create_sheet("settings"), *_settings_table(instrument))
    target = str(path_or_buffer) if isinstance(path_or_buffer, str | Path) else path_or_buffer
    book.save(target)


def _survey_table(instrument: Instrument) -> tuple[list[str], list[list[str]]]:
    rows = list(_survey_rows(instrument.children))
    items = [r["item"] for r in rows if "item" in r]
    questions = [i for i in items if isinstance(i, Question)]
    text_keys = {
        "label": [i.labels for i in items],  # type: ignore[attr-defined]
        "hint": [q.hints for q in questions],
        "required_message": [q.required_messages for q in questions],
        "constraint_message": [q.constraint_messages for q in questions],
    }
    columns: list[tuple[str, str | None]] = [("type", None), ("name", None)]
    # Every language gets a label column, in order, so that reading back gives the same order.
    label_codes = _codes(instrument, text_keys["label"])
    columns += [("label", c) for c in instrument.languages]
    columns += [("label", c) for c in label_codes if c not in instrument.languages]
    columns += [("hint", code) for code in _codes(instrument, text_keys["hint"])]
    plain = ["required", "relevant", "constraint", "calculation", "choice_filter", "default"]
    plain += ["appearance", "randomize", "concept"]
    for key in plain:
        if any(_field(i, key) for i in items):
            columns.append((key, None))
        if key in ("required", "constraint"):
            message = f"{key}_message"
            columns += [(message, code) for code in _codes(instrument, text_keys[message])]
    headers = [
        key if code is None else _language_header(instrument, key, code) for key, code in columns
    ]
    table: list[list[str]] = []
    for r in rows:
        item = r.get("item")
        line = []
        for key, code in columns:
            if key == "type":
                line.append(str(r["type"]))
            elif item is None:
                line.append(str(r["name"]) if key == "name" else "")
            elif code is not None:
                line.append(_texts(item, key).get(code, ""))
            else:
                line.append(_field(item, key))
        table.append(line)
    return headers, table


def _texts(item: object, key: str) -> Mapping[str, str]:
    attribute = {
        "label": "labels",
        "hint": "hints",
        "required_message": "required_messages",
        "constraint_message": "constraint_messages",
    }[key]
    texts: Mapping[str, str] = getattr(item, attribute, {})
    return texts


def _field(item: object, key: str) -> str:
    if key == "concept":
        return " ".join(getattr(item, "concepts", ()))
    if key == "randomize":
        return "yes" if getattr(item, "randomize", False) else ""
    return str(getattr(item, key, "") or "")


def _choices_table(instrument: Instrument) -> tuple[list[str], list[list[str]]]:
    choices = [(cl.name, c) for cl in instrument.choice_lists.values() for c in cl.choices]
    codes = _codes(instrument, [c.labels for _, c in choices])
    extra_keys: list[str] = []
    for _, c in choices:
        extra_keys += [k for k in c.extra if k not in extra_keys]
    with_concepts = any(c.concepts for _, c in choices)
    headers = ["list_name", "name"] + [_language_header(instrument, "label", c) for c in codes]
    headers += (["concept"] if with_concepts else []) + extra_keys
    rows = []
    for list_name, c in choices:
        line = [list_name, c.name] + [c.labels.get(code, "") for code in codes]
        line += ([" ".join(c.concepts)] if with_concepts else []) + [
            c.extra.get(k, "") for k in extra_keys
        ]
        rows.append(line)
    return headers, rows


def _settings_table(instrument: Instrument) -> tuple[list[str], list[list[str]]]:
    values = {
        "form_title": instrument.title,
        "form_id": instrument.form_id,
        "version": instrument.version,
    }
    if instrument.default_language != "default":
        code = instrument.default_language
        values["default_language"] = (
            instrument.language_names.get(code) or DEFAULT_LANGUAGE_NAMES.get(code) or code
        )
    values.update({k: v for k, v in instrument.settings.items() if k not in values})
    kept = {k: v for k, v in values.items() if v}
    return list(kept), [list(kept.values())]
