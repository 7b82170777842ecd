"""The observatory: the members' dashboard, the public site with open data, and the figures
that reports reuse, all under disclosure control (:mod:`tillit.disclosure`).

Django app (models, services, views); see docs/observatory.md.
"""
