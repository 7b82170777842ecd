"""The reform register: trust-reform initiatives per municipality with their evidence and edit
history, national context events, the status map and the diffusion timeline (``docs/register.md``).

Models in :mod:`.models`, every write in :mod:`.services`, value checks against the registry and
the taxonomy in :mod:`.checks`, CSV/XLSX in :mod:`.tables`, map and timeline data in
:mod:`.overview` and :mod:`.charts`. Screening of documents lives in ``tillit.apps.corpus``.
"""
