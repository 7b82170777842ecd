"""`tillit register ...`: the reform register (issue mapping)."""

from __future__ import annotations

from typing import Any

COMMANDS: list[Any] = []
