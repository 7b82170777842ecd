"""Trust measurement and structural models: confirmatory factor analysis and structural equation
models in lavaan-style syntax (ML), and trust maps between actor groups.

Issue "cases". Pure library: never Django. Golden values come from R's lavaan.
"""
