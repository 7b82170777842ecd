"""Pages and CLI for survey analysis; the statistics live in the pure package tillit.analysis.

Django app (models, services, views). It is empty until its issue lands; see ARCHITECTURE.md.
"""
