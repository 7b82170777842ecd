"""Qualitative sources, codebooks, coding, memos, cases, queries and intercoder reliability.

Django app (models, services, views) over the pure :mod:`tillit.qda` and
:mod:`tillit.interop.refiqda`; see docs/qda.md. Writes go through ``services``,
``services_codebook`` and ``services_exchange``; access through ``access``.
"""
