"""Small template helpers of the qda pages."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django import template

register = template.Library()


@register.filter
def cell(row: dict[str, Any], key: str) -> Any:
    """``row[key]`` for a result row, with NaN shown empty and floats to three decimals."""
    value = row.get(key, "")
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}"
    return "" if value is None else value


@register.filter
def pct(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if math.isnan(v) else f"{100 * v:.1f} %"


@register.filter
def num3(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if math.isnan(v) else f"{v:.3f}"


@register.simple_tag
def query_with(params: Any, **changes: Any) -> str:
    """The query string of ``params`` with some keys changed."""
    items = {k: params.getlist(k) if hasattr(params, "getlist") else [params[k]] for k in params}
    for k, v in changes.items():
        items[k] = [v]
    return urlencode([(k, v) for k, vs in items.items() for v in vs])
