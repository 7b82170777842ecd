"""The shared concept taxonomy: one versioned tree of concepts that survey items, QDA codes,
screening-lexicon terms and reform-register fields all point at.

Pure library: no Django. Start with :func:`load_taxonomy`.

>>> from tillit.taxonomy import load_taxonomy
>>> tax = load_taxonomy()
>>> tax.get("measure.delegation").label("da")
'Uddelegering af beslutningskompetence'
"""

from tillit.taxonomy.load import (
    CONCEPT_KEYS,
    RESERVED_KEYS,
    Problem,
    bundled_source,
    load_taxonomy,
    validate,
)
from tillit.taxonomy.model import (
    BRANCHES,
    FALLBACKS,
    LANGUAGES,
    REQUIRED_DEFINITIONS,
    Concept,
    Taxonomy,
    fallback_chain,
    normalize,
)

__all__ = [
    "BRANCHES",
    "CONCEPT_KEYS",
    "FALLBACKS",
    "LANGUAGES",
    "REQUIRED_DEFINITIONS",
    "RESERVED_KEYS",
    "Concept",
    "Problem",
    "Taxonomy",
    "bundled_source",
    "fallback_chain",
    "load_taxonomy",
    "normalize",
    "validate",
]
