"""Qualitative comparative analysis: calibration, necessity, truth tables, minimisation (issue: cases).

Pure library: never Django. Golden values from R's QCA package (shared/specs/qca-oracles).
"""
