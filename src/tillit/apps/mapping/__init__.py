"""The reform register and screening of municipal documents.

Django app (models, services, views). It is empty until its issue lands; see ARCHITECTURE.md.
"""
