"""The municipality registry: every municipality of Norway (357, 2024) and Denmark (98).

A pure library (no Django). Everything comes from files bundled with tillit; see
:func:`provenance` for sources, licences and caveats (Danish population is for 2020).

Examples
--------
>>> from tillit import registry
>>> registry.get("0301").name
'Oslo'
>>> [m.name for m in registry.find("guovdageaidnu")]
['Kautokeino']
>>> registry.crosswalk("5030", 2019).successor_codes
('5001',)
>>> len(registry.municipalities(size_class="city"))
14
"""

from tillit.registry.crosswalk import CrosswalkResult
from tillit.registry.frame import to_frame
from tillit.registry.load import boundaries, provenance
from tillit.registry.lookup import (
    Match,
    Registry,
    check_crosswalk_consistency,
    counties,
    crosswalk,
    default_registry,
    find,
    get,
    history,
    municipalities,
    search,
)
from tillit.registry.model import COUNTRIES, COUNTRY_NAMES, CodeChange, Municipality
from tillit.registry.normalise import name_key, normalise_name
from tillit.registry.sizeclass import SizeClass, size_class_for

__all__ = [
    "COUNTRIES",
    "COUNTRY_NAMES",
    "CodeChange",
    "CrosswalkResult",
    "Match",
    "Municipality",
    "Registry",
    "SizeClass",
    "boundaries",
    "check_crosswalk_consistency",
    "counties",
    "crosswalk",
    "default_registry",
    "find",
    "get",
    "history",
    "municipalities",
    "name_key",
    "normalise_name",
    "provenance",
    "search",
    "size_class_for",
    "to_frame",
]
