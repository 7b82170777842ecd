"""Qualitative sources, codebooks, coding, memos, queries and intercoder reliability.

Django app (models, services, views). It is empty until its issue lands; see ARCHITECTURE.md.
"""
