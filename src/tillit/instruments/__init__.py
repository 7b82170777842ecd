"""Survey instruments with XLSForm semantics and their safe expression language (issue: surveys).

Pure library: never Django.
"""
