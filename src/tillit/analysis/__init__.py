"""Survey statistics: AAPOR rates, weights, design-based estimates, scales (issue: survey analysis).

Pure library: plain Python, numpy, pandas, scipy and statsmodels; never Django.
Every statistic is checked against R (tests/analysis/reference/*.R).
"""
