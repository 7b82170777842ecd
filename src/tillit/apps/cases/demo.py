"""The cases part of the demo: saved case matrices over the demo's municipalities and QCA models
of reform adoption. Runs after the surveys, register, corpus and qda parts (INSTALLED_APPS order).

The matrices mix REAL register entries (documented cases with sources) with SYNTHETIC survey
answers, documents and codings, so every set-up is labelled SYNTHETIC: its results are a
teaching example, not a finding about any municipality. Trust models (CFA of the trust scales,
trust maps for NO and DK) are computed on the pages from the synthetic survey.

Only configurations are stored, so this part takes well under a second.
"""

from __future__ import annotations

from typing import Any

from tillit.apps.cases import services
from tillit.apps.surveys.demo import SURVEY_SLUG

MATRIX = "SYNTHETIC demo: register and corpus municipalities"
MATRIX_SURVEY = "SYNTHETIC demo: with survey answers (personal data)"
QCA = "SYNTHETIC demo: reform adoption (register)"
QCA_SURVEY = "SYNTHETIC demo: reform adoption with executives' trust (survey)"
QCA_REPORTED = "SYNTHETIC demo: adoption reported by the executives (survey)"
NOTE = (
    "SYNTHETIC: real register entries (documented cases) side by side with made-up documents, "
    "codings and survey answers. A teaching example, not a finding about any municipality."
)

COLUMNS = [
    "registry.country",
    "registry.dk",
    "registry.population",
    "registry.size_class",
    "register.adopted",
    "register.first_year",
    "register.status",
    "register.measure:measure.reporting_reduction",
    "register.measure:measure.delegation",
    "screen.documents:measure",
    "screen.passages:measure",
    "screen.passages:motive",
    "screen.passages:relation",
    "qda.segments:measure",
]
SURVEY_COLUMNS = [
    f"survey.responded:{SURVEY_SLUG}",
    f"survey.item:{SURVEY_SLUG}:adopt",
    f"survey.scale:{SURVEY_SLUG}:vertical",
    f"survey.scale:{SURVEY_SLUG}:horizontal",
]
ROWS = {"sources": ["register", "screening"]}
#: Conditions of the adoption QCA (column, set name, calibration, thresholds, expectation).
CONDITIONS = [
    {"column": "registry.dk", "name": "DK", "type": "asis", "thresholds": "", "direction": "1"},
    {
        "column": "registry.population",
        "name": "LARGE",
        "type": "fuzzy",
        "thresholds": "e=10000, c=40000, i=150000",
        "direction": "1",
    },
    {
        "column": "screen.passages:measure",
        "name": "DOCS",
        "type": "crisp",
        "thresholds": "1",
        "direction": "1",
    },
]
OUTCOME = {"column": "register.adopted", "name": "ADOPT", "type": "asis", "thresholds": ""}
TRUST = {
    "column": f"survey.scale:{SURVEY_SLUG}:vertical",
    "name": "VTRUST",
    "type": "fuzzy",
    "thresholds": "e=5, c=7, i=9",
    "direction": "1",
}


def build(ctx: Any) -> None:
    owner = ctx.users["owner"]
    m = services.do_save_matrix(
        ctx.project,
        name=MATRIX,
        columns=COLUMNS,
        rows=ROWS,
        actor=owner,
        description=NOTE,
        is_synthetic=True,
    )
    ms = services.do_save_matrix(
        ctx.project,
        name=MATRIX_SURVEY,
        columns=COLUMNS + SURVEY_COLUMNS,
        rows=ROWS,
        actor=owner,
        description=NOTE + " Survey columns: owners and researchers only.",
        is_synthetic=True,
    )
    services.do_save_qca(
        m,
        name=QCA,
        outcome=OUTCOME,
        conditions=CONDITIONS,
        incl_cut=0.8,
        actor=owner,
        description=NOTE,
        is_synthetic=True,
    )
    services.do_save_qca(
        ms,
        name=QCA_SURVEY,
        outcome=OUTCOME,
        conditions=[*CONDITIONS, TRUST],
        incl_cut=0.8,
        actor=owner,
        description=NOTE,
        is_synthetic=True,
    )
    reported = {
        "column": f"survey.item:{SURVEY_SLUG}:adopt",
        "name": "REPORTS",
        "type": "in",
        "thresholds": "1, 2",  # codes of formal and informal adoption
    }
    register = {
        "column": "register.adopted",
        "name": "REGISTER",
        "type": "asis",
        "thresholds": "",
        "direction": "1",
    }
    services.do_save_qca(
        ms,
        name=QCA_REPORTED,
        outcome=reported,
        conditions=[*CONDITIONS[:2], register, TRUST],
        incl_cut=0.75,
        actor=owner,
        is_synthetic=True,
        description=NOTE + " Outcome: the synthetic survey's adoption item (formal or informal).",
    )
    ctx.log(f"  cases: 2 synthetic case matrices and 3 QCA models of reform adoption ({QCA!r})")
