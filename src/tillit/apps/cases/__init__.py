"""The municipality case matrix, QCA and trust models.

Django app (models, services, views). It is empty until its issue lands; see ARCHITECTURE.md.
"""
