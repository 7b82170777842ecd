"""`tillit model ...`: CFA, SEM and trust maps (issue cases)."""

from __future__ import annotations

from typing import Any

COMMANDS: list[Any] = []
