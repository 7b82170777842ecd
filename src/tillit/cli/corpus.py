"""`tillit corpus ...` and `tillit screen ...`: import documents, screen them (issue mapping)."""

from __future__ import annotations

from typing import Any

COMMANDS: list[Any] = []
