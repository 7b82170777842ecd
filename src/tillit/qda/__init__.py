"""Qualitative data analysis, the pure part: intercoder reliability (percent agreement, Cohen's
kappa, Krippendorff's alpha), coded-segment queries, transcripts and pseudonymisation.

Issue "qda". Pure library: never Django. The Django app ``tillit.apps.qda`` stores projects and
calls into this package.
"""
