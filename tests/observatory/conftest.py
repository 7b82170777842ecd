"""Fixtures: a project with a synthetic survey that has small groups, known personal data, and
a few register entries."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

import pytest

K = 5
#: Known personal data planted in the project: none of it may appear on a public page.
SECRET_COMMENT = "Zqxv confidential remark 7731"
SECRET_NAME = "Xenia Hemmeligsen"
SECRET_DOMAIN = "secret-mail.invalid"


@dataclass
class SmallGroups:
    project: Any
    survey: Any
    users: dict[str, Any]
    respondents: list[tuple[str, str]]  # (country, municipality code)
    secrets: list[str]


def _contacts(cases: list[Any]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["municipality code", "country", "name", "e-mail", "role", "language"])
    for c in cases:
        w.writerow(
            [
                c.municipality_code,
                c.country,
                f"{SECRET_NAME} {c.municipality_code}",
                f"xenia.{c.country.lower()}{c.municipality_code}@{SECRET_DOMAIN}",
                "kommunedirektør",
                "nb" if c.country == "NO" else "da",
            ]
        )
    return buf.getvalue().encode()


def choose_respondents(fieldwork: list[Any], frame: dict[str, tuple[str, str]]) -> set[str]:
    """Respondents with small groups: Vestfold (NO) keeps 2, Oslo 1, Danish cities 4, other
    groups as simulated but thinned so the survey stays small."""
    from tillit.registry import default_registry

    reg = default_registry()
    complete = [sc.case_id for sc in fieldwork if sc.outcome == "complete"]
    keep: set[str] = set()
    per_group: dict[str, int] = {}
    for cid in complete:
        country, code = frame[cid]
        m = reg.get(code, country)
        if country == "NO" and m.county_name == "Vestfold":
            limit, group = 2, "vestfold"
        elif country == "NO" and m.county_name == "Oslo":
            limit, group = 1, "oslo"
        elif country == "DK" and str(m.size_class) == "city":
            limit, group = 4, "dk-city"
        else:
            limit, group = 9, f"{country}-{m.county_name}"
        if per_group.get(group, 0) < limit:
            per_group[group] = per_group.get(group, 0) + 1
            keep.add(cid)
    return keep


_SIMULATED: dict[tuple[str, ...], list[Any]] = {}


def _simulate(instrument: Any, cases: list[Any]) -> list[Any]:
    """The synthetic fieldwork of ``cases`` (deterministic per case: kept for the session)."""
    from tillit.apps.surveys import synthetic

    key = tuple(f"{c.country}{c.municipality_code}" for c in cases)
    if key not in _SIMULATED:
        _SIMULATED[key] = synthetic.simulate(instrument, cases, 2026)
    # case ids differ per test database: give each simulated case its new id
    return [replace(sc, case_id=c.case_id) for sc, c in zip(_SIMULATED[key], cases, strict=True)]


@pytest.fixture
def small_groups(project_with_roles) -> SmallGroups:
    from tillit.apps.mapping import services as register
    from tillit.apps.surveys import services, synthetic

    project, users = project_with_roles
    owner = users["owner"]
    project.is_synthetic = True
    project.save(update_fields=["is_synthetic"])
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(project, filename, data, actor=owner)
    survey = services.do_create_survey(
        project, "exec", "SYNTHETIC exec", iv, "personal", "nb", actor=owner, is_synthetic=True
    )
    services.do_set_frame(survey, actor=owner)
    cases = list(survey.cases.order_by("country", "municipality_code"))
    services.do_import_contacts(survey, "c.csv", _contacts(cases), actor=owner)
    frame = {c.case_id: (c.country, c.municipality_code) for c in cases}
    fc = [synthetic.FrameCase(c.case_id, c.country, c.municipality_code) for c in cases]
    fieldwork = _simulate(services.load_instrument(iv), fc)
    keep = choose_respondents(fieldwork, frame)
    out = []
    for sc in fieldwork:
        if sc.case_id in keep:
            answers = dict(sc.answers)
            answers["comment"] = f"{SECRET_COMMENT} {sc.case_id}"
            out.append(replace(sc, answers=answers))
        else:
            out.append(synthetic.SyntheticCase(sc.case_id, "noncontact", invited_at=sc.invited_at))
    services.do_load_synthetic_fieldwork(survey, out, actor=owner)
    for code, status, year, measures in (
        ("4601", "active", 2019, ["measure.trust_reform", "measure.delegation"]),
        ("0301", "active", 2016, ["measure.trust_reform"]),
        ("101", "planned", 2024, ["measure.reporting_reduction"]),
        ("751", "ended", 2017, ["measure.delegation"]),
    ):
        register.do_create_initiative(
            project,
            municipality_code=code,
            title=f"Trust reform {code}",
            actor=owner,
            status=status,
            start_year=year,
            measures=measures,
        )
    secrets = [SECRET_COMMENT, SECRET_NAME, SECRET_DOMAIN]
    for c in survey.cases.select_related("contact"):
        secrets.append(c.case_id)
        if c.contact.token_hash:
            secrets.append(c.contact.token_hash)
    respondents = [frame[c] for c in keep]
    return SmallGroups(project, survey, users, respondents, secrets)


@pytest.fixture
def register_project(project_with_roles):
    """A project with a few register entries and no survey."""
    from tillit.apps.mapping import services as register

    project, users = project_with_roles
    for code, status, year in (("4601", "active", 2019), ("0301", "active", 2016),
                               ("751", "ended", 2017), ("101", "planned", None)):  # fmt: skip
        register.do_create_initiative(
            project,
            municipality_code=code,
            title=f"Reform {code}",
            actor=users["owner"],
            status=status,
            start_year=year,
            measures=["measure.delegation"] if code == "4601" else ["measure.trust_reform"],
        )
    return project, users
