"""Dashboards, reports, open data with disclosure control and self-assessment.

Django app (models, services, views). It is empty until its issue lands; see ARCHITECTURE.md.
"""
