"""Survey instruments, web questionnaires, invitations, tracking and exports.

Django app (models, services, views). It is empty until its issue lands; see ARCHITECTURE.md.
"""
