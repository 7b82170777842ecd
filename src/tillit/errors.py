"""One error vocabulary for the library, the CLI and the web API.

Every error a user can meet carries a stable :class:`ErrorCode`, a message that says what is
wrong and where, and a hint that says what to do next. The JSON shape is always
``{"ok": false, "error": message, "code": code, "errors": [...]}``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class ErrorCode(enum.StrEnum):
    """Stable machine-readable error codes (never renamed once released)."""

    USAGE = "usage"
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    INVALID_INPUT = "invalid_input"
    CONFIG = "config"
    PERMISSION = "permission"
    CONFLICT = "conflict"
    CORRUPT_FILE = "corrupt_file"
    EXTERNAL_TOOL = "external_tool"


#: Codes that mean the caller asked for something impossible (CLI exit 2); the rest exit 1.
USAGE_CODES = frozenset({ErrorCode.USAGE})


@dataclass
class TillitError(Exception):
    """A user-facing error: what is wrong, and what to do next."""

    message: str
    code: ErrorCode = ErrorCode.INVALID_INPUT
    hint: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message

    def as_json(self) -> dict[str, Any]:
        """The canonical JSON error body."""
        return {
            "ok": False,
            "error": self.message,
            "code": str(self.code),
            "hint": self.hint,
            "errors": list(self.errors),
        }


class NotFoundError(TillitError):
    """Something named by the user does not exist."""

    def __init__(self, message: str, hint: str = "", errors: list[dict[str, Any]] | None = None):
        super().__init__(message, ErrorCode.NOT_FOUND, hint, errors or [])


class ConfigError(TillitError):
    """The environment or a project directory is set up wrongly."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, ErrorCode.CONFIG, hint, [])


class CorruptFileError(TillitError):
    """A file the user gave us is damaged or not what it claims to be."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, ErrorCode.CORRUPT_FILE, hint, [])
