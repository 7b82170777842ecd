"""Open data: the public site's datasets (CSV, Parquet, JSON) and their data dictionary.

* ``register``: one row per municipality with a registered initiative (public sources);
* ``diffusion``: cumulative adoptions per country and year;
* ``coverage``: documents and screened documents per municipality (public sources);
* ``survey_indicators``: survey means per country, county/region and size class within a
  country, under disclosure control (:mod:`tillit.apps.observatory.indicators`): never a
  municipality, hidden groups without numbers;
* ``dictionary``: variable, label, type, unit, source and disclosure treatment of every column.

Nothing personal is in any of them: no names, e-mails, tokens, free text or case ids.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

import tillit
from tillit.apps.mapping import overview
from tillit.apps.observatory import indicators
from tillit.apps.observatory.inputs import Inputs
from tillit.registry import default_registry

DATASETS = ("register", "diffusion", "coverage", "survey_indicators", "dictionary")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}


def register(inputs: Inputs) -> pd.DataFrame:
    status = overview.municipality_status(inputs.initiatives)
    years = overview.adoption_years(inputs.initiatives)
    reg = default_registry()
    per: dict[tuple[str, str], list[Any]] = {}
    for i in inputs.initiatives:
        per.setdefault((i.country, i.municipality_code), []).append(i)
    rows = []
    for (country, code), items in sorted(per.items()):
        m = reg.get(code, country)
        measures = sorted({c for i in items if i.status != "rejected" for c in i.measures})
        rows.append(
            {
                "country": country,
                "code": code,
                "municipality": m.name,
                "county": m.county_name,
                "size_class": str(m.size_class),
                "status": status.get((country, code), "none"),
                "adoption_year": years.get((country, code)),
                "initiatives": len(items),
                "measures": ";".join(measures),
            }
        )
    cols = [
        "country",
        "code",
        "municipality",
        "county",
        "size_class",
        "status",
        "adoption_year",
        "initiatives",
        "measures",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["adoption_year"] = out["adoption_year"].astype("Int64")
    return out


def diffusion(inputs: Inputs) -> pd.DataFrame:
    rows, _unknown = overview.diffusion(overview.adoption_years(inputs.initiatives))
    return pd.DataFrame(
        [r.as_dict() for r in rows], columns=["country", "year", "new", "cumulative"]
    )


def coverage(inputs: Inputs) -> pd.DataFrame:
    reg = default_registry()
    d = inputs.documents.sort_values(["country", "code"])
    return pd.DataFrame(
        {
            "country": d["country"],
            "code": d["code"],
            "municipality": [
                reg.get(c, k).name for c, k in zip(d["code"], d["country"], strict=True)
            ],
            "documents": d["documents"].astype(int),
            "screened": d["screened"].astype(int),
        }
    ).reset_index(drop=True)


def survey_indicators(inputs: Inputs, k: int) -> pd.DataFrame:
    if inputs.survey is None:
        return pd.DataFrame(columns=indicators.COLUMNS)
    return indicators.all_indicators(inputs.survey, k)


def dictionary(k: int) -> pd.DataFrame:
    """Every column of every dataset: variable, label, type, unit, source, disclosure."""
    reg_src = _("Project reform register (public documents); registry: SSB, Kartverket, DST, DAGI")
    doc_src = _("Project document corpus (public council documents)")
    srv_src = _("Project survey of chief municipal executives (design-based estimates)")
    public = _("Public sources: shown per municipality")
    agg = _(
        "Aggregated: never per municipality; groups with fewer than %(k)s respondents hidden, "
        "and further groups hidden (secondary suppression) so no hidden group can be worked out "
        "from totals; audited by linear programming"
    ) % {"k": k}
    none = _("None (public)")
    rows: list[tuple[str, str, str, str, str, str, str]] = [
        ("register", "country", _("Country (NO, DK)"), "string", "", reg_src, public),
        ("register", "code", _("Municipality code (SSB/DST)"), "string", "", reg_src, public),
        ("register", "municipality", _("Municipality name"), "string", "", reg_src, public),
        ("register", "county", _("County (NO) or region (DK)"), "string", "", reg_src, public),
        ("register", "size_class", _("Population size class"), "string", "", reg_src, public),
        ("register", "status", _("Most advanced reform status"), "string", "", reg_src, public),
        ("register", "adoption_year", _("First start year of an active or ended initiative"),
         "integer", _("year"), reg_src, public),
        ("register", "initiatives", _("Registered initiatives"), "integer", _("count"), reg_src,
         public),
        ("register", "measures", _("Measures (taxonomy concept ids, ';'-separated)"), "string",
         "", reg_src, public),
        ("diffusion", "country", _("Country (NO, DK)"), "string", "", reg_src, none),
        ("diffusion", "year", _("Year"), "integer", _("year"), reg_src, none),
        ("diffusion", "new", _("Municipalities adopting in the year"), "integer", _("count"),
         reg_src, none),
        ("diffusion", "cumulative", _("Municipalities adopted by the end of the year"),
         "integer", _("count"), reg_src, none),
        ("coverage", "country", _("Country (NO, DK)"), "string", "", doc_src, public),
        ("coverage", "code", _("Municipality code"), "string", "", doc_src, public),
        ("coverage", "municipality", _("Municipality name"), "string", "", doc_src, public),
        ("coverage", "documents", _("Imported documents"), "integer", _("count"), doc_src, public),
        ("coverage", "screened", _("Screened documents"), "integer", _("count"), doc_src, public),
        ("survey_indicators", "variable", _("Survey variable"), "string", "", srv_src, none),
        ("survey_indicators", "question", _("Question wording"), "string", "", srv_src, none),
        ("survey_indicators", "label", _("Short item label"), "string", "", srv_src, none),
        ("survey_indicators", "country", _("Country (NO, DK)"), "string", "", srv_src, agg),
        ("survey_indicators", "level", _("Level: country, county or size_class"), "string", "",
         srv_src, agg),
        ("survey_indicators", "group", _("County/region or size class (empty for the country)"),
         "string", "", srv_src, agg),
        ("survey_indicators", "n", _("Respondents who answered"), "integer", _("count"),
         srv_src, agg),
        ("survey_indicators", "mean", _("Design-based mean"), "number", _("scale points"),
         srv_src, agg),
        ("survey_indicators", "se", _("Standard error of the mean"), "number",
         _("scale points"), srv_src, agg),
        # xgettext:no-python-format
        ("survey_indicators", "ci_low", _("95% confidence interval, lower limit"), "number",
         _("scale points"), srv_src, agg),
        # xgettext:no-python-format
        ("survey_indicators", "ci_high", _("95% confidence interval, upper limit"), "number",
         _("scale points"), srv_src, agg),
        ("survey_indicators", "scale_min", _("Lowest scale value"), "number",
         _("scale points"), srv_src, none),
        ("survey_indicators", "scale_max", _("Highest scale value"), "number",
         _("scale points"), srv_src, none),
        ("survey_indicators", "suppressed", _("Hidden by disclosure control"), "boolean", "",
         srv_src, agg),
    ]  # fmt: skip
    return pd.DataFrame(
        rows, columns=["dataset", "variable", "label", "type", "unit", "source", "disclosure"]
    )


def dataset(inputs: Inputs, name: str, k: int) -> pd.DataFrame:
    if name == "register":
        return register(inputs)
    if name == "diffusion":
        return diffusion(inputs)
    if name == "coverage":
        return coverage(inputs)
    if name == "survey_indicators":
        return survey_indicators(inputs, k)
    if name == "dictionary":
        return dictionary(k)
    raise KeyError(name)


def _json_value(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    return v


def encode(frame: pd.DataFrame, fmt: str, meta: dict[str, Any]) -> bytes:
    """``frame`` as CSV, Parquet (with ``meta`` in the schema metadata) or JSON (``meta`` and
    ``data``)."""
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[b"tillit"] = json.dumps(meta).encode()
        table = table.replace_schema_metadata(md)
        buf = io.BytesIO()
        pq.write_table(table, buf)
        return buf.getvalue()
    if fmt == "json":
        rows = [
            {str(c): _json_value(v) for c, v in zip(frame.columns, row, strict=True)}
            for row in frame.itertuples(index=False)
        ]
        return json.dumps({"meta": meta, "data": rows}, ensure_ascii=False, indent=1).encode()
    raise KeyError(fmt)


def meta(inputs: Inputs, name: str, k: int) -> dict[str, Any]:
    return {
        "dataset": name,
        "project": inputs.project_name,
        "synthetic": inputs.synthetic,
        "data_version": inputs.data_version,
        "tillit_version": tillit.__version__,
        "k": k,
    }
