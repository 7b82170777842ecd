"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import tillit


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "tillit_version": tillit.__version__,
        "tillit_demo": bool(settings.PROJECT and settings.PROJECT.is_demo),
    }
