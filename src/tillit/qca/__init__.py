"""Qualitative comparative analysis: calibration, necessity, truth tables, minimisation.

Issue "cases". Pure library: never Django. Golden values come from R's QCA package
(shared/specs/qca-oracles).
"""
