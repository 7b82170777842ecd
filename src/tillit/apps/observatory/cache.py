"""Where the observatory keeps computed figures: Django's cache framework.

A cache alias ``observatory`` in ``CACHES`` wins; otherwise, in a project directory, a file
cache under ``DIR/cache/observatory`` (shared by the server's worker processes), else the
default cache (local memory, e.g. in tests). Keys carry the project's data version
(:func:`tillit.apps.observatory.services.data_version`), so a change to the data makes new keys
and old entries simply age out.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches

TIMEOUT = 7 * 24 * 3600


@functools.cache
def figure_cache() -> BaseCache:
    if "observatory" in settings.CACHES:
        return caches["observatory"]
    project = getattr(settings, "PROJECT", None)
    if project is not None:
        from django.core.cache.backends.filebased import FileBasedCache

        location = Path(project.path) / "cache" / "observatory"
        return FileBasedCache(str(location), {"TIMEOUT": TIMEOUT, "OPTIONS": {"MAX_ENTRIES": 5000}})
    return caches["default"]


_LOCAL: OrderedDict[str, Any] = OrderedDict()
_LOCAL_MAX = 48
_LOCK = threading.Lock()


def get_or_build(key: str, build: Any) -> Any:
    """The cached value of ``key``, or ``build()`` stored under it (keys are hashed, so any
    text, however long, is a valid key).

    The most recently used values are also kept in this process (a small LRU in front of the
    cache), so a busy page is not read and unpickled from the file cache on every request;
    keys carry the data version, so these copies are never stale.
    """
    key = "obs:" + hashlib.sha256(key.encode()).hexdigest()
    with _LOCK:
        if key in _LOCAL:
            _LOCAL.move_to_end(key)
            return _LOCAL[key]
    cache = figure_cache()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    with _LOCK:
        _LOCAL[key] = value
        while len(_LOCAL) > _LOCAL_MAX:
            _LOCAL.popitem(last=False)
    return value
