"""`tillit qda ...`: qualitative sources, codebooks, REFI-QDA, reliability, queries (issue qda)."""

from __future__ import annotations

from typing import Any

COMMANDS: list[Any] = []
