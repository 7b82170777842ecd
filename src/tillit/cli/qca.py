"""`tillit qca ...`: qualitative comparative analysis (issue cases)."""

from __future__ import annotations

from typing import Any

COMMANDS: list[Any] = []
