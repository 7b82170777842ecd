"""Trust models of a survey: CFA of the trust scales, structural models in lavaan syntax and
trust maps, through :mod:`tillit.sem`.

Only aggregate results leave this module (loadings, fit, reliability, network weights), and only
when at least ``k`` respondents (the project's disclosure threshold) are in the data, so the
pages follow the disclosure rules for every role.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from tillit.apps.cases.matrix import SCALES, scale_items
from tillit.errors import ErrorCode, TillitError

COUNTRIES = ("NO", "DK")


def sem_available() -> bool:
    try:
        import tillit.sem
    except ImportError:
        return False
    return hasattr(tillit.sem, "cfa") and hasattr(tillit.sem, "sem")


def trustmap_available() -> bool:
    try:
        from tillit.sem import trustmap  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class SurveyTrust:
    """A survey's respondents (answer columns) and its trust scales (scale -> items)."""

    title: str
    data: pd.DataFrame
    scales: dict[str, list[str]]
    labels: dict[str, str]
    synthetic: bool


_CACHE: dict[tuple[Any, ...], SurveyTrust] = {}


def _version(survey: Any) -> tuple[Any, ...]:
    """Changes whenever an answer or a case of the survey changes."""
    from django.db.models import Count, Max

    from tillit.apps.surveys.models import Answer, Case

    a = Answer.objects.filter(case__survey=survey).aggregate(n=Count("id"), at=Max("saved_at"))
    c = Case.objects.filter(survey=survey).aggregate(n=Count("id"), at=Max("last_activity_at"))
    return (survey.pk, str(survey.created_at), a["n"], str(a["at"]), c["n"], str(c["at"]))


def load(survey: Any, lang: str = "en") -> SurveyTrust:
    """The survey's trust data (kept in memory while the survey's answers do not change, so the
    page and its two maps read the answers once)."""
    key = (*_version(survey), lang)
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _load(survey, lang)
    return _CACHE[key]


def _load(survey: Any, lang: str) -> SurveyTrust:
    from tillit.apps.analysis import data

    sd = data.load(survey, language=lang)
    scales: dict[str, list[str]] = {}
    concepts = {it.name: it.concepts for it in sd.items if it.is_scored}
    formats = {it.name: it.categories or it.qtype for it in sd.items}
    for name, prefix in SCALES.items():
        items = scale_items(concepts, formats, prefix)
        if len(items) >= 2:
            scales[name] = items
    labels = {it.name: it.label for it in sd.items}
    return SurveyTrust(
        sd.title, sd.respondents, scales, labels, bool(getattr(survey, "is_synthetic", False))
    )


def subset(st: SurveyTrust, country: str | None) -> pd.DataFrame:
    if country in COUNTRIES:
        return st.data[st.data["country"] == country]
    return st.data


def cfa_syntax(st: SurveyTrust, scales: list[str]) -> str:
    unknown = [s for s in scales if s not in st.scales]
    if unknown or not scales:
        raise TillitError(
            _("Unknown or empty scale: %(s)s.") % {"s": ", ".join(unknown) or "-"},
            ErrorCode.INVALID_INPUT,
            hint=_("Choose from: %(s)s.") % {"s": ", ".join(st.scales) or "-"},
        )
    return "\n".join(f"{s} =~ " + " + ".join(st.scales[s]) for s in scales)


def _check_k(n: int, k: int) -> None:
    if n < k:
        raise TillitError(
            _("Only %(n)d complete respondents: results from fewer than %(k)d are not shown.")
            % {"n": n, "k": k},
            ErrorCode.INVALID_INPUT,
            hint=_("Choose all countries, fewer items, or wait for more answers."),
        )


def fit(model: str, data: pd.DataFrame, *, kind: str, k: int, std_lv: bool = False) -> Any:
    """Fit ``model`` (lavaan syntax) by ML; refuse when fewer than ``k`` complete cases."""
    from tillit import sem

    text = (model or "").strip()
    if not text:
        raise TillitError(
            _("Type a model in lavaan syntax."),
            ErrorCode.INVALID_INPUT,
            hint=_("For example: vertical =~ vt_pol_adm + vt_top_mid + vt_mgr_emp"),
        )
    numeric = data.select_dtypes("number")
    fn = sem.cfa if kind == "cfa" else sem.sem
    with warnings.catch_warnings():  # the result keeps its warnings
        warnings.simplefilter("ignore")
        result = fn(text, numeric, std_lv=std_lv)
    _check_k(int(result.n), k)
    return result


def loadings(result: Any) -> pd.DataFrame:
    p = result.parameters
    return p[p["op"] == "=~"][["lhs", "rhs", "estimate", "se", "std_all"]].reset_index(drop=True)


def fit_rows(result: Any) -> list[tuple[str, Any]]:
    f = result.fit
    return [
        (_("Cases"), result.n),
        (_("Chi-square"), f.chisq),
        (_("Degrees of freedom"), f.df),
        (_("p-value"), f.pvalue),
        ("CFI", f.cfi),
        ("TLI", f.tli),
        ("RMSEA", f.rmsea),
        (_("RMSEA 90% interval, low"), f.rmsea_ci_low),
        (_("RMSEA 90% interval, high"), f.rmsea_ci_high),
        ("SRMR", f.srmr),
        ("AIC", f.aic),
        ("BIC", f.bic),
    ]


#: Trust items of the chief-executive instrument -> (who trusts, whom). The chief executive
#: stands for the administration and, towards the state, for the municipality; "the employer
#: side" is the chief executive too.
TRUST_ITEMS: dict[str, tuple[str, str]] = {
    "vt_pol_adm": ("politicians", "chief_executive"),
    "vt_adm_pol": ("chief_executive", "politicians"),
    "vt_top_mid": ("chief_executive", "middle_managers"),
    "vt_mid_top": ("middle_managers", "chief_executive"),
    "vt_mgr_emp": ("middle_managers", "frontline"),
    "vt_emp_mgr": ("frontline", "middle_managers"),
    "vt_state_mun": ("state", "chief_executive"),
    "vt_mun_state": ("chief_executive", "state"),
    "ht_services": ("frontline", "other_services"),
    "ht_prof_cit": ("frontline", "citizens"),
    "ht_cit_prof": ("citizens", "frontline"),
    "ht_emp_union": ("chief_executive", "unions"),
    "ht_union_emp": ("unions", "chief_executive"),
}


def trustmap(st: SurveyTrust, *, k: int) -> Any:
    """Trust maps by country from the survey's trust items (edges from fewer than ``k``
    respondents suppressed)."""
    from tillit.sem import trustmap as tm

    items = {i: pair for i, pair in TRUST_ITEMS.items() if i in st.data.columns}
    if not items:
        raise TillitError(
            _("The survey has none of the trust items a trust map is drawn from."),
            ErrorCode.INVALID_INPUT,
            hint=_("Trust maps need the vertical and horizontal trust items (0-10)."),
        )
    data = st.data[st.data["country"].isin(COUNTRIES)]
    return tm.trust_map(data, items, scale=(0.0, 10.0), by="country", min_n=max(k, 1))


def trustmap_svg(st: SurveyTrust, country: str | None, *, k: int, title: str = "") -> str:
    from tillit.sem import trustmap as tm

    result = trustmap(st, k=k)
    if country is not None and country not in result.groups:
        raise TillitError(
            _("No respondents from %(c)s.") % {"c": country},
            ErrorCode.NOT_FOUND,
            hint=_("Choose a country with answers."),
        )
    return tm.to_svg(result, country, title=title or None)
