"""Text handling: extraction, normalisation, language identification, passages, lexicon screening
(issue: mapping) and the text side of qualitative coding (issue: qda).

Pure library: never Django.
"""
