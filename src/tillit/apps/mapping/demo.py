"""The register part of the demo: REAL, documented trust-reform cases and national context
events, unlike the rest of the demo project, which is synthetic.

Every entry comes from the project brief (``domain.md``, sections 2.1 to 2.4), which cites its
sources; each carries evidence of kind ``url`` pointing at that source and a short note in our
own words. Nothing is added that the brief does not say: where it gives no year, the year is
left empty; municipalities it names only as a group (the 40 Norwegian "trust money"
municipalities), cases it marks unverified (Trondheim, Stavanger, Tromsø, Gladsaxe) and cases
it cannot place (which of the two Våler municipalities) are left out. Where the brief names a
source only by its site and date, the evidence points at the site and its note says so.

Status: ``active`` means that the cited source describes the initiative as decided or under
way; the present state of each initiative has not been checked again.
"""

from __future__ import annotations

from typing import Any

from tillit.apps.mapping import services

#: Written on every seeded initiative and event, so that nobody mistakes them for synthetic data.
REAL_NOTE = "REAL, documented case (source cited); not synthetic."
_SITE_ONLY = "The brief names this source by its site and date only, not by the article's address."

#: Documented municipal cases: (country, code, name as check) and the initiative.
DOCUMENTED_CASES: list[dict[str, Any]] = [
    {
        "country": "DK",
        "municipality_code": "101",
        "name": "København",
        "title": "Tillidsreformen i Københavns Kommune",
        "start_year": 2012,
        "decided_by": "council",
        "scope": "whole",
        "sectors": ["sector.whole_municipality", "sector.social_services", "sector.culture"],
        "measures": [
            "measure.reporting_reduction",
            "measure.rule_cleanup",
            "measure.plan_reduction",
            "measure.rule_channel",
            "measure.citizen_cocreation",
        ],
        "problem_perceptions": [
            "motive.core_task_time",
            "motive.service_quality",
            "motive.motivation",
            "motive.efficiency",
            "motive.innovation",
        ],
        "notes": (
            "Started in 2012, before the national agreement; in 2013 the City Council adopted a "
            "code for trust-based leadership. The aim was to replace control and reporting with "
            "trust in and responsibility for the individual employee: fewer process rules, "
            "controls, plans and strategies, and more time for core tasks. The social services "
            "set up an elected body of managers and employees where staff report meaningless "
            "rules, and co-creation labs. A charter for work communities followed in August "
            "2019."
        ),
        "evidence": [
            {
                "kind": "url",
                "title": "Københavns Kommune: Tillidsreformen i arbejde",
                "url": "https://www.kk.dk/nyheder/tillidsreformen-i-arbejde",
            },
            {
                "kind": "url",
                "title": "Københavns Kommune: Mere tid til borgerne",
                "url": "https://www.kk.dk/artikel/mere-tid-til-borgerne",
            },
        ],
    },
    {
        "country": "NO",
        "municipality_code": "0301",
        "name": "Oslo",
        "title": "Tillitsreform i Oslo kommune",
        "start_year": 2015,
        "decided_by": "executive",
        "scope": "whole",
        "sectors": ["sector.school", "sector.elderly_care.home_care", "sector.administration"],
        "measures": ["measure.reform_decision"],
        "problem_perceptions": ["motive.npm_critique"],
        "notes": (
            "The trust reform was part of the city-government platform of October 2015; in "
            "2017 the city council made trust-based governance and management the guiding "
            "principle for steering the city. Studies describe less output-oriented steering, "
            "translated and dampened differently across sectors; in the boroughs there was no "
            "standard practice and few major changes, but more attention to trust and to the "
            "user's perspective. Decision bodies and dates are known second-hand only."
        ),
        "evidence": [
            {
                "kind": "url",
                "title": "OsloMet ODA 10642/9260 (study of Oslo's trust reform)",
                "url": "https://hdl.handle.net/10642/9260",
            },
            {
                "kind": "url",
                "title": "Johnsen (2025): Trust reforms in Scandinavia, with the City of Oslo as "
                "case",
                "url": "https://oda.oslomet.no/oda-xmlui/handle/11250/3173811",
            },
        ],
    },
    {
        "country": "NO",
        "municipality_code": "4601",
        "name": "Bergen",
        "title": "Tillits- og faglighetsreform i hjemmetjenestene",
        "start_year": 2017,
        "decided_by": "executive",
        "scope": "sector",
        "sectors": ["sector.elderly_care.home_care"],
        "measures": ["measure.standard_time_abolition", "measure.employee_codetermination"],
        "problem_perceptions": [],
        "notes": (
            "Decided by the city government in the autumn of 2017. Standard times in home care "
            "were abolished on 1 January (2018, inferred) and replaced by an interim model in "
            "which staff and the purchaser unit judge the time each user needs. Working groups "
            "with staff, managers, user councils, union and safety representatives; many "
            "information meetings in 2018 and 2019; study visits to Copenhagen and Oslo."
        ),
        "evidence": [
            {
                "kind": "url",
                "title": "Bergen kommune: Tillitsreformen, organisering",
                "url": "https://www.bergen.kommune.no/hvaskjer/tema/tillitsreformen/organisering",
            }
        ],
    },
    {
        "country": "DK",
        "municipality_code": "751",
        "name": "Aarhus",
        "title": "Aarhuskompasset",
        "start_year": 2019,
        "decided_by": "council",
        "scope": "whole",
        "sectors": ["sector.whole_municipality"],
        "measures": ["measure.citizen_cocreation"],
        "problem_perceptions": [],
        "notes": (
            "In March 2019 the city council decided to develop a new framework for steering; "
            "Aarhuskompasset was adopted in 2020 under the motto 'less system, more citizen': "
            "more co-creation, knowledge-informed steering, and room for local leadership and "
            "employees' professional judgement."
        ),
        "evidence": [
            {
                "kind": "url",
                "title": "Aarhus Kommune: Aarhuskompasset",
                "url": "https://faellesomaarhus.aarhus.dk/aarhuskompasset",
            }
        ],
    },
]

_WELFARE_NOTE = (
    "One of the Danish welfare agreements (velfærdsaftaler): agreed in December 2020 and in "
    "force from 2021, freeing the municipality from most state rules in {area}, on condition "
    "that it also removes unnecessary rules of its own."
)
_BT = {
    "kind": "url",
    "title": "B.T., 2020: the welfare-agreement municipalities",
    "url": "https://www.bt.dk/",
    "note": _SITE_ONLY,
}
_UVM = {
    "kind": "url",
    "title": "uni-c.dk / UVM, September 2023: proposed extension of the agreements",
    "url": "https://www.uvm.dk/",
    "note": _SITE_ONLY,
}
_SM = {
    "kind": "url",
    "title": "sm.dk, 15 September 2023: the elderly-care agreements",
    "url": "https://www.sm.dk/",
    "note": _SITE_ONLY,
}
_KD = {
    "kind": "url",
    "title": "Kristeligt Dagblad, September 2022: municipalities freed in employment services",
    "url": "https://www.kristeligt-dagblad.dk/",
    "note": _SITE_ONLY,
}

for _code, _name in (("217", "Helsingør"), ("840", "Rebild")):
    DOCUMENTED_CASES.append(
        {
            "country": "DK",
            "municipality_code": _code,
            "name": _name,
            "title": "Velfærdsaftale: dagtilbud",
            "start_year": 2021,
            "decided_by": "other",
            "scope": "sector",
            "sectors": ["sector.kindergarten"],
            "measures": ["measure.pilot.welfare_agreement"],
            "problem_perceptions": [],
            "notes": _WELFARE_NOTE.format(area="day care")
            + " An extension to 31 July 2025 was proposed in September 2023.",
            "evidence": [_BT, _UVM],
        }
    )
for _code, _name in (("561", "Esbjerg"), ("316", "Holbæk")):
    DOCUMENTED_CASES.append(
        {
            "country": "DK",
            "municipality_code": _code,
            "name": _name,
            "title": "Velfærdsaftale: folkeskole",
            "start_year": 2021,
            "decided_by": "other",
            "scope": "sector",
            "sectors": ["sector.school"],
            "measures": ["measure.pilot.welfare_agreement"],
            "problem_perceptions": [],
            "notes": _WELFARE_NOTE.format(area="the public school (folkeskole)"),
            "evidence": [_BT],
        }
    )
for _code, _name in (("482", "Langeland"), ("410", "Middelfart"), ("791", "Viborg")):
    DOCUMENTED_CASES.append(
        {
            "country": "DK",
            "municipality_code": _code,
            "name": _name,
            "title": "Velfærdsaftale: ældreområdet",
            "start_year": 2021,
            "decided_by": "other",
            "scope": "sector",
            "sectors": ["sector.elderly_care"],
            "measures": ["measure.pilot.welfare_agreement"],
            "problem_perceptions": [],
            "notes": _WELFARE_NOTE.format(area="elderly care")
            + " Extended until the new Elderly Act takes effect.",
            "evidence": [_SM],
        }
    )
for _code, _name in (
    ("219", "Hillerød"),
    ("253", "Greve"),
    ("740", "Silkeborg"),
    ("580", "Aabenraa"),
):
    DOCUMENTED_CASES.append(
        {
            "country": "DK",
            "municipality_code": _code,
            "name": _name,
            "title": "Frisættelse af beskæftigelsesindsatsen",
            "start_year": 2023,
            "start_date": "2023-07-01",
            "decided_by": "other",
            "scope": "sector",
            "sectors": ["sector.employment"],
            "measures": ["measure.pilot"],
            "problem_perceptions": [],
            "notes": (
                "From 1 July 2023 to 2026 the municipality is largely exempt from state "
                "regulation of its employment services."
            ),
            "evidence": [_KD],
        }
    )

#: National initiatives and agreements (brief sections 2.2 to 2.4).
CONTEXT_EVENTS: list[dict[str, Any]] = [
    {
        "country": "NO",
        "year": 1997,
        "title": "First municipal trials of local tripartite cooperation",
        "description": "Politicians, administrative leaders and union representatives cooperate; "
        "started by Norsk Kommuneforbund (now Fagforbundet) and later spread through national "
        "programmes.",
        "source": "Fagbladet 2013",
        "kind": "programme",
    },
    {
        "country": "DK",
        "date": "2007-03-29",
        "title": "Senior civil servants' op-ed against NPM over-steering",
        "description": "Eight senior civil servants apologised in Politiken for the over-steering "
        "of New Public Management.",
        "source": "Läkartidningen 2015",
        "source_url": "https://lakartidningen.se/",
        "kind": "debate",
    },
    {
        "country": "DK",
        "year": 2011,
        "title": "Government platform promises a trust reform",
        "description": "The October 2011 government platform promised a reform built on trust, "
        "leadership, professionalism and less bureaucracy.",
        "source": "mm.dk; avisen.dk",
        "kind": "platform",
    },
    {
        "country": "DK",
        "year": 2012,
        "title": "Free-municipality trials, round I (2012–2015)",
        "description": "Municipalities exempted from rules to test other ways of working; "
        "round II followed in 2016–2020.",
        "source": "DFØ-notat 2023:1, ch. 2; im.dk",
        "kind": "programme",
    },
    {
        "country": "DK",
        "date": "2013-06-20",
        "title": "Agreement on seven principles for modernising the public sector "
        "('Tillidsreformen')",
        "description": "The government, Danske Regioner, KL, FTF, OAO and Akademikerne agreed on "
        "seven principles, among them leadership and steering based on trust and "
        "responsibility.",
        "source": "Center for Offentlig Innovation: 7 principper",
        "source_url": "https://www.coi.dk/om-os/7-principper",
        "kind": "agreement",
    },
    {
        "country": "SE",
        "date": "2016-06-21",
        "title": "Sweden sets up the Trust Delegation (Tillitsdelegationen)",
        "description": "Active until 2020; reports include SOU 2018:38 and SOU 2018:47.",
        "kind": "programme",
    },
    {
        "country": "DK",
        "date": "2018-09-29",
        "title": "Coherence reform: four national goals for the public sector",
        "description": "Government, municipalities, regions and employees declared four goals, "
        "among them more freedom and time for welfare and trust in professionalism.",
        "source": "KL (kl.dk)",
        "kind": "agreement",
    },
    {
        "country": "DK",
        "year": 2020,
        "title": "Proximity reform and welfare agreements announced",
        "description": "Announced in the Prime Minister's opening speech in October 2020; "
        "seven municipalities were freed from most legislation in one welfare area from 2021.",
        "kind": "agreement",
    },
    {
        "country": "NO",
        "year": 2021,
        "title": "Government platform (Hurdalsplattformen) makes a trust reform a main project",
        "description": "Trust, time and power back to the frontline, designed together with "
        "user organisations, union representatives and management.",
        "source": "Bjerke 2023, Samfunn og økonomi",
        "source_url": "https://www.samfunnogokonomi.no/2023/03/problemene-med-tillitsreform/",
        "kind": "platform",
    },
    {
        "country": "NO",
        "date": "2022-01-18",
        "title": "Input meeting on the trust reform with the social partners",
        "description": "Followed on 17 February 2022 by a top meeting with LO, Akademikerne, YS, "
        "Unio, Spekter and KS.",
        "source": "regjeringen.no, Tillitsreform (id2894124)",
        "kind": "agreement",
    },
    {
        "country": "DK",
        "year": 2022,
        "title": "Reform paper 'Danmark kan mere III'",
        "description": "Proposed freeing all 98 municipalities in one welfare area and a stop "
        "for new rules unless another is removed.",
        "kind": "guidance",
    },
    {
        "country": "NO",
        "year": 2022,
        "title": "Inspiration note 'Om tillitsreformen' (KDD)",
        "description": "The ministry's note on the goal and focus areas of the trust reform, "
        "published in November 2022.",
        "source": "regjeringen.no: Målet med tillitsreformen",
        "kind": "guidance",
    },
    {
        "country": "all",
        "year": 2023,
        "title": "DFØ-notat 2023:1: lessons from trust reforms in the Scandinavian countries",
        "description": "A synthesis of the Danish, Swedish and Norwegian initiatives for the "
        "Norwegian ministry.",
        "source": "DFØ",
        "source_url": "https://dfo.no/rapporter/dfo-notat-20231-laerdommer-fra-arbeid-med-"
        "tillitsreform-i-skandinaviske-land/3-hovedtrekk-og-laerdommer",
        "kind": "guidance",
    },
]


def build(ctx: Any) -> None:
    actor = ctx.users["researcher"]
    project = ctx.project
    for case in DOCUMENTED_CASES:
        values = {k: v for k, v in case.items() if k not in ("name", "notes")}
        services.do_create_initiative(
            project,
            actor=actor,
            status="active",
            notes=f"{REAL_NOTE} {case['notes']}",
            **values,
        )
    for event in CONTEXT_EVENTS:
        services.do_create_context_event(project, actor=actor, **event)
    ctx.log(
        f"  register: {len(DOCUMENTED_CASES)} documented real initiatives, "
        f"{len(CONTEXT_EVENTS)} national context events"
    )
