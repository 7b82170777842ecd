"""pandas views of the registry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tillit.registry.model import Municipality

if TYPE_CHECKING:
    import pandas as pd

#: Columns of :func:`to_frame`, in order.
COLUMNS = (
    "country",
    "code",
    "code4",
    "name",
    "name_official",
    "parallel_names",
    "county_code",
    "county_name",
    "iso_region",
    "population",
    "population_year",
    "size_class",
    "language_form",
    "area_km2",
    "admin_centre",
)


def to_frame(municipalities: Iterable[Municipality] | None = None) -> pd.DataFrame:
    """Return municipalities as a pandas DataFrame, one row each.

    Parameters
    ----------
    municipalities : iterable of Municipality, optional
        Defaults to every bundled municipality (NO then DK).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`. Codes are strings with their leading zeros;
        ``parallel_names`` is ``"; "``-joined; ``population`` is an integer.

    Examples
    --------
    >>> df = to_frame()
    >>> df.loc[df.code == "0301", "name"].item()
    'Oslo'
    """
    import pandas as pd

    if municipalities is None:
        from tillit.registry.lookup import default_registry

        municipalities = default_registry().municipalities()
    rows = []
    for m in municipalities:
        d = m.as_dict()
        d["parallel_names"] = "; ".join(m.parallel_names)
        rows.append({c: d[c] for c in COLUMNS})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("country", "code", "code4", "county_code", "size_class"):
        frame[col] = frame[col].astype("string")
    frame["population"] = frame["population"].astype("int64")
    return frame
