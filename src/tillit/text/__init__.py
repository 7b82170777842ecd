"""Text handling for the document corpus (issue 5) and the text side of qualitative coding.

Pure library: never Django. The pipeline, one module per step:

=====================  ===================================================================
module                 does
=====================  ===================================================================
``extract``            bytes of a PDF, DOCX, ODT, HTML or text file -> normalised text, or
                       an :class:`~tillit.text.extract.ExtractionError` with a stable reason
``archive``            safe zip reading (member, size and ratio limits) for zip imports and
                       DOCX/ODT
``fetch``              http/https download with timeouts, size limits and redirect limits
``normalize``          the canonical text form (no BOM, ``\\n`` line ends, NFC, no control
                       characters) that every offset points into
``passages``           paragraphs and sentence-bounded pieces with stable offsets
``langid``             nb, nn, da, sv, en per passage (py3langid + marker words)
``lexicon``,           the versioned screening lexicon, Aho-Corasick matching, scored
``matcher``,           passages per concept, and the supervised classifier
``screen``,
``classify``
``corpus``             Parquet partitions screened in-process or on a Dask cluster,
                       resumably
=====================  ===================================================================
"""
