"""Exchange formats: XLSForm, SPSS/Stata, DDI-Codebook 2.5, REFI-QDA (issues: surveys, qda).

Pure library: never Django. Untrusted XML is parsed with defusedxml.
"""
