"""The surveys part of the demo: the ready-made chief executive instrument, a survey of all 455
municipalities with synthetic contacts and synthetic fieldwork (see
:mod:`tillit.apps.surveys.synthetic` for the model), every row marked synthetic."""

from __future__ import annotations

import csv
import io
from typing import Any

from tillit import registry
from tillit.apps.surveys import services, synthetic

SURVEY_SLUG = "chief-executives-2026"
SURVEY_TITLE = "SYNTHETIC: Chief executive survey 2026"
SEED = 2026


def contacts_csv(cases: list[Any]) -> bytes:
    """Made-up contacts, clearly fake: 'Demo Kommunedirektør 0301', '…@demo.invalid'."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["municipality code", "country", "name", "e-mail", "role", "language"])
    for c in cases:
        m = registry.get(c.municipality_code, country=c.country)
        if c.country == "NO":
            role, lang = "kommunedirektør", "nn" if m.language_form == "Nynorsk" else "nb"
            name = f"Demo Kommunedirektør {c.municipality_code}"
        else:
            role, lang = "kommunaldirektør", "da"
            name = f"Demo Kommunaldirektør {c.municipality_code}"
        email = f"{role.replace('ø', 'o')}-{c.country.lower()}{c.municipality_code}@demo.invalid"
        w.writerow([c.municipality_code, c.country, name, email, role, lang])
    return buf.getvalue().encode()


def build(ctx: Any) -> None:
    owner = ctx.users["owner"]
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(ctx.project, filename, data, actor=owner)
    survey = services.do_create_survey(
        ctx.project, SURVEY_SLUG, SURVEY_TITLE, iv, "personal", "nb", actor=owner,
        is_synthetic=True,
    )  # fmt: skip
    services.do_set_frame(survey, actor=owner)
    cases = list(survey.cases.order_by("country", "municipality_code"))
    services.do_import_contacts(survey, "synthetic-contacts.csv", contacts_csv(cases), actor=owner)
    frame = [synthetic.FrameCase(c.case_id, c.country, c.municipality_code) for c in cases]
    fieldwork = synthetic.simulate(services.load_instrument(iv), frame, SEED)
    counts = services.do_load_synthetic_fieldwork(survey, fieldwork, actor=owner)
    ctx.log(
        f"  synthetic survey {SURVEY_SLUG}: {counts['cases']} cases, {counts['answers']} answers"
    )
