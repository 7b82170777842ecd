"""The qda part of the demo: synthetic interviews with national actors (a union
representative, a party politician, a ministry official), a field note and a case document
from two made-up municipalities, in Norwegian Bokmål and Danish; the starter codebook; codings
by two coders that agree in part (so the reliability page shows realistic figures); memos; and
the two municipalities as cases with attributes.

Every text is our own wording and every source is named and flagged SYNTHETIC. The two
municipalities (Fjordvik, Engby) do not exist, so no real municipality is described.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tillit.apps.qda import services, services_codebook
from tillit.apps.qda.models import Code, Coding

UNION_NB = (
    "\n".join(
        (
            "Intervjuer: Hva betyr tillitsreformen for medlemmene dine i kommunene?",
            "Tillitsvalgt: For mange handler det først og fremst om tid. Sykepleierne i "
            "hjemmetjenesten bruker en stor del av dagen på å dokumentere, og mye av det leser "
            "ingen. Rapporteringsbyrden er blitt verre de siste ti årene.",
            "Intervjuer: Hvor kommer kravene fra?",
            "Tillitsvalgt: Noe kommer fra staten, men mye er laget lokalt. Når noe går galt, "
            "kommer det en ny rutine. Det er en nullfeilskultur der ingen tør å ta sjansen på å "
            "stole på fagfolkenes skjønn.",
            "Intervjuer: Hvordan er samarbeidet med arbeidsgiver?",
            "Tillitsvalgt: Trepartssamarbeidet fungerer godt på papiret. I praksis blir vi ofte "
            "invitert når beslutningen allerede er tatt. Skal reformen lykkes, må vi være med fra "
            "starten.",
            "Intervjuer: Stoler de ansatte på ledelsen?",
            "Tillitsvalgt: Tilliten til nærmeste leder er stort sett god. Tilliten til systemet, "
            "til rådhuset og til staten, er svakere. Folk opplever at de blir kontrollert i "
            "stedet for å bli trodd.",
        )
    )
    + "\n"
)

POLITICIAN_DA = (
    "\n".join(
        (
            "Interviewer: Hvorfor har jeres parti støttet en tillidsreform?",
            "Politiker: Fordi den nye offentlige styring er gået for vidt. Vi har bygget et "
            "system med mål og indikatorer, som giver mere kontrol end kvalitet. Borgerne mærker "
            "det, når medarbejderne har for lidt tid.",
            "Interviewer: Hvad er det svære ved at give slip?",
            "Politiker: Som politiker skal man kunne vise resultater. Når der står en sag i "
            "avisen, er det fristende at indføre en ny regel. Det er et dilemma, for vi vil både "
            "have tillid og kunne stå til ansvar.",
            "Interviewer: Hvad med ligebehandling?",
            "Politiker: Det er den store indvending. Hvis hver medarbejder skal bruge sit skøn, "
            "kan borgere blive behandlet forskelligt. Retssikkerheden må ikke blive en taber i "
            "reformen.",
            "Interviewer: Hvordan ser du forholdet mellem byråd og forvaltning?",
            "Politiker: Vi skal styre på rammer og mål, ikke på detaljer. Det kræver, at "
            "forvaltningen stoler på, at vi ikke blander os i enkeltsager, og at vi stoler på, at "
            "de leverer.",
        )
    )
    + "\n"
)

MINISTRY_NB = (
    "\n".join(
        (
            "Intervjuer: Hvordan ser departementet på tillitsreformen i kommunene?",
            "Byråkrat: Vi ønsker færre statlige detaljkrav. Samtidig har staten et ansvar for at "
            "innbyggerne får likeverdige tjenester over hele landet. Den statlige reguleringen "
            "kan ikke bare fjernes.",
            "Intervjuer: Hva er det vanskeligste?",
            "Byråkrat: Begrepet er uklart. Alle er for tillit, men ingen er helt enige om hva det "
            "betyr i praksis. Noen kommuner bruker ordet om verdiarbeid, andre om å kutte i "
            "rapportering.",
            "Intervjuer: Hvilke tiltak har dere satt i gang?",
            "Byråkrat: Vi har ryddet i veiledere og rundskriv, og vi har en kanal der kommunene "
            "kan melde fra om regler som ikke gir mening. Vi har også startet forsøk der "
            "kommunene får fritak fra enkelte krav.",
            "Intervjuer: Har kommunene tillit til staten?",
            "Byråkrat: Forholdet mellom stat og kommune er preget av gjensidig mistillit på "
            "enkelte områder. Tilsynene oppleves som kontroll, ikke som støtte.",
        )
    )
    + "\n"
)

FIELD_NOTE_NB = (
    "\n".join(
        (
            "Feltnotat, kommunestyremøte i Fjordvik (SYNTETISK).",
            "",
            "Møtet startet med en orientering fra kommunedirektøren om tillitsreformen. Hun la "
            "vekt på at lederne i helse og omsorg skal få større handlingsrom og at budsjettet "
            "skal gis som rammer.",
            "",
            "En representant fra opposisjonen spurte hvordan kommunestyret skal vite at pengene "
            "brukes riktig når det blir færre rapporter. Kommunedirektøren svarte at oppfølgingen "
            "skal skje i dialogmøter, ikke gjennom flere indikatorer.",
            "",
            "I pausen fortalte en avdelingsleder at samarbeidet mellom hjemmetjenesten og "
            'legekontoret har blitt bedre etter at de fikk felles møter. "Vi kjenner hverandre '
            'nå", sa hun.',
        )
    )
    + "\n"
)

CASE_DOC_DA = (
    "\n".join(
        (
            "Engby Kommune: plan for tillidsreform 2026-2028 (SYNTETISK).",
            "",
            "1. Baggrund. Medarbejdere og ledere oplever, at en stor del af arbejdstiden går til "
            "dokumentation, som ikke gavner borgerne. Samtidig er det svært at rekruttere og "
            "fastholde sygeplejersker og pædagoger.",
            "",
            "2. Indsatser. Kommunen afskaffer faste tidsnormer i hjemmeplejen, indfører "
            "selvstyrende teams i to distrikter og gennemgår alle lokale regler med henblik på "
            "forenkling. Medarbejderne inddrages gennem MED-udvalget.",
            "",
            "3. Opfølgning. Byrådet får en årlig dialogbaseret status i stedet for kvartalsvise "
            "nøgletal. Der kan opstå spænding mellem ønsket om frihed og kravet om ensartet "
            "kvalitet på tværs af distrikterne.",
        )
    )
    + "\n"
)

SOURCES = [
    {
        "key": "union",
        "date": dt.date(2025, 3, 12),
        "name": "SYNTHETIC interview: union representative (nb)",
        "text": UNION_NB,
        "transcript": True,
        "kind": "interview",
        "actor_type": "union",
        "organisation": "National union of care workers (synthetic)",
        "country": "NO",
        "language": "nb",
        "interviewer": "Interviewer 1 (synthetic)",
        "consent": "obtained",
    },
    {
        "key": "politician",
        "date": dt.date(2025, 4, 2),
        "name": "SYNTHETIC interview: party politician (da)",
        "text": POLITICIAN_DA,
        "transcript": True,
        "kind": "interview",
        "actor_type": "party",
        "organisation": "A national party (synthetic)",
        "country": "DK",
        "language": "da",
        "interviewer": "Interviewer 2 (synthetic)",
        "consent": "obtained",
    },
    {
        "key": "ministry",
        "date": dt.date(2025, 5, 20),
        "name": "SYNTHETIC interview: ministry official (nb)",
        "text": MINISTRY_NB,
        "transcript": True,
        "kind": "interview",
        "actor_type": "ministry",
        "organisation": "A ministry (synthetic)",
        "country": "NO",
        "language": "nb",
        "interviewer": "Interviewer 1 (synthetic)",
        "consent": "obtained",
    },
    {
        "key": "fjordvik",
        "date": dt.date(2025, 9, 18),
        "name": "SYNTHETIC field note: Fjordvik council meeting (nb)",
        "text": FIELD_NOTE_NB,
        "transcript": False,
        "kind": "field_note",
        "actor_type": "municipality",
        "organisation": "Fjordvik kommune (made up)",
        "country": "NO",
        "language": "nb",
        "interviewer": "Field worker 1 (synthetic)",
        "consent": "not_needed",
    },
    {
        "key": "engby",
        "date": dt.date(2025, 11, 3),
        "name": "SYNTHETIC case document: Engby trust reform plan (da)",
        "text": CASE_DOC_DA,
        "transcript": False,
        "kind": "document",
        "actor_type": "municipality",
        "organisation": "Engby Kommune (made up)",
        "country": "DK",
        "language": "da",
        "interviewer": "",
        "consent": "not_needed",
    },
]

#: (source, concept, span coded by the coder, span coded by the researcher); a span is a
#: phrase of the text (None: that coder did not code it). Equal phrases agree; different
#: overlapping phrases agree in part; a single one is a disagreement.
CODINGS: list[tuple[str, str, str | None, str | None]] = [
    (
        "union",
        "motive.reporting_burden",
        "Rapporteringsbyrden er blitt verre de siste ti årene.",
        "Sykepleierne i hjemmetjenesten bruker en stor del av dagen på å dokumentere, og mye av "
        "det leser ingen. Rapporteringsbyrden er blitt verre de siste ti årene.",
    ),
    (
        "union",
        "dilemma.zero_error_culture",
        "Det er en nullfeilskultur der ingen tør å ta sjansen på å stole på fagfolkenes skjønn.",
        "Det er en nullfeilskultur der ingen tør å ta sjansen på å stole på fagfolkenes skjønn.",
    ),
    (
        "union",
        "relation.horizontal.social_partners",
        "Trepartssamarbeidet fungerer godt på papiret.",
        "Trepartssamarbeidet fungerer godt på papiret. I praksis blir vi ofte invitert når "
        "beslutningen allerede er tatt.",
    ),
    (
        "union",
        "relation.form.interpersonal",
        "Tilliten til nærmeste leder er stort sett god.",
        "Tilliten til nærmeste leder er stort sett god.",
    ),
    (
        "union",
        "relation.form.institutional",
        "Tilliten til systemet, til rådhuset og til staten, er svakere.",
        "Tilliten til systemet, til rådhuset og til staten, er svakere.",
    ),
    (
        "union",
        "motive.excessive_control",
        "Folk opplever at de blir kontrollert i stedet for å bli trodd.",
        None,
    ),
    (
        "politician",
        "motive.npm_critique",
        "Fordi den nye offentlige styring er gået for vidt.",
        "Fordi den nye offentlige styring er gået for vidt. Vi har bygget et system med mål og "
        "indikatorer, som giver mere kontrol end kvalitet.",
    ),
    (
        "politician",
        "dilemma.political_results",
        "Som politiker skal man kunne vise resultater.",
        "Som politiker skal man kunne vise resultater. Når der står en sag i avisen, er det "
        "fristende at indføre en ny regel.",
    ),
    (
        "politician",
        "dilemma.equal_treatment",
        "Hvis hver medarbejder skal bruge sit skøn, kan borgere blive behandlet forskelligt.",
        "Hvis hver medarbejder skal bruge sit skøn, kan borgere blive behandlet forskelligt.",
    ),
    (
        "politician",
        "dilemma.legal_certainty",
        "Retssikkerheden må ikke blive en taber i reformen.",
        "Retssikkerheden må ikke blive en taber i reformen.",
    ),
    (
        "politician",
        "relation.vertical.politicians_administration",
        "Vi skal styre på rammer og mål, ikke på detaljer.",
        "Det kræver, at forvaltningen stoler på, at vi ikke blander os i enkeltsager, og at vi "
        "stoler på, at de leverer.",
    ),
    (
        "politician",
        "motive.service_quality",
        None,
        "Borgerne mærker det, når medarbejderne har for lidt tid.",
    ),
    (
        "ministry",
        "dilemma.state_regulation",
        "Den statlige reguleringen kan ikke bare fjernes.",
        "Den statlige reguleringen kan ikke bare fjernes.",
    ),
    (
        "ministry",
        "dilemma.vague_concept",
        "Begrepet er uklart.",
        "Begrepet er uklart. Alle er for tillit, men ingen er helt enige om hva det betyr i "
        "praksis.",
    ),
    (
        "ministry",
        "relation.vertical.state_municipality",
        "Forholdet mellom stat og kommune er preget av gjensidig mistillit på enkelte områder.",
        "Forholdet mellom stat og kommune er preget av gjensidig mistillit på enkelte områder. "
        "Tilsynene oppleves som kontroll, ikke som støtte.",
    ),
    (
        "ministry",
        "dilemma.equal_treatment",
        "Samtidig har staten et ansvar for at innbyggerne får likeverdige tjenester over hele "
        "landet.",
        None,
    ),
    (
        "fjordvik",
        "measure.framework_budgeting",
        "budsjettet skal gis som rammer",
        "budsjettet skal gis som rammer",
    ),
    (
        "fjordvik",
        "dilemma.verifiability",
        "hvordan kommunestyret skal vite at pengene brukes riktig når det blir færre rapporter",
        "En representant fra opposisjonen spurte hvordan kommunestyret skal vite at pengene "
        "brukes riktig når det blir færre rapporter.",
    ),
    (
        "fjordvik",
        "measure.dialogue_followup",
        "oppfølgingen skal skje i dialogmøter, ikke gjennom flere indikatorer",
        "oppfølgingen skal skje i dialogmøter",
    ),
    (
        "fjordvik",
        "relation.horizontal.between_services",
        "samarbeidet mellom hjemmetjenesten og legekontoret har blitt bedre",
        "samarbeidet mellom hjemmetjenesten og legekontoret har blitt bedre etter at de fikk "
        "felles møter",
    ),
    (
        "engby",
        "motive.reporting_burden",
        "en stor del af arbejdstiden går til dokumentation, som ikke gavner borgerne",
        "en stor del af arbejdstiden går til dokumentation, som ikke gavner borgerne",
    ),
    (
        "engby",
        "motive.recruitment",
        "svært at rekruttere og fastholde sygeplejersker og pædagoger",
        "svært at rekruttere og fastholde sygeplejersker og pædagoger",
    ),
    (
        "engby",
        "dilemma.equal_treatment",
        "Der kan opstå spænding mellem ønsket om frihed og kravet om ensartet kvalitet på tværs af "
        "distrikterne.",
        "kravet om ensartet kvalitet på tværs af distrikterne",
    ),
    (
        "engby",
        "relation.vertical.leaders_employees",
        None,
        "Medarbejderne inddrages gennem MED-udvalget.",
    ),
    # codes applied on top of others (what the co-occurrence matrix counts)
    (
        "union",
        "relation.vertical.leaders_employees",
        "Tilliten til nærmeste leder er stort sett god.",
        "Tilliten til nærmeste leder er stort sett god.",
    ),
    (
        "union",
        "relation.vertical.state_municipality",
        "Tilliten til systemet, til rådhuset og til staten, er svakere.",
        None,
    ),
    (
        "union",
        "motive.excessive_control",
        None,
        "Rapporteringsbyrden er blitt verre de siste ti årene.",
    ),
    (
        "politician",
        "motive.detailed_steering",
        "Vi skal styre på rammer og mål, ikke på detaljer.",
        "Vi skal styre på rammer og mål, ikke på detaljer.",
    ),
    (
        "politician",
        "dilemma.legal_certainty",
        None,
        "Hvis hver medarbejder skal bruge sit skøn, kan borgere blive behandlet forskelligt.",
    ),
    (
        "ministry",
        "relation.vertical.state_municipality",
        None,
        "Den statlige reguleringen kan ikke bare fjernes.",
    ),
    (
        "fjordvik",
        "dilemma.political_results",
        "hvordan kommunestyret skal vite at pengene brukes riktig",
        None,
    ),
    (
        "engby",
        "motive.core_task_time",
        "en stor del af arbejdstiden går til dokumentation",
        "en stor del af arbejdstiden går til dokumentation, som ikke gavner borgerne",
    ),
]

CASES = [
    {
        "name": "Fjordvik kommune (SYNTHETIC)",
        "sources": ["fjordvik"],
        "attributes": {
            "country": "NO",
            "population_band": "10,000-20,000",
            "reform_started": 2024,
            "steering": "framework budgets",
            "synthetic": True,
        },
    },
    {
        "name": "Engby Kommune (SYNTHETIC)",
        "sources": ["engby"],
        "attributes": {
            "country": "DK",
            "population_band": "40,000-60,000",
            "reform_started": 2025,
            "steering": "self-managed teams",
            "synthetic": True,
        },
    },
]


def _code_for(project: Any, concept: str) -> Code:
    return Code.objects.filter(project=project, concept_id=concept).order_by("pk").first()


def build(ctx: Any) -> None:
    project = ctx.project
    owner, coder, researcher = ctx.users["owner"], ctx.users["coder"], ctx.users["researcher"]
    services_codebook.do_create_starter_codebook(project, actor=owner, lang="en")
    sources = {}
    for spec in SOURCES:
        meta = {k: v for k, v in spec.items() if k not in {"key", "text", "transcript", "name"}}
        filename = f"{spec['key']}.txt"
        sources[spec["key"]] = services.do_import_source(
            project,
            filename,
            spec["text"].encode(),
            actor=owner,
            transcript=spec["transcript"],
            name=spec["name"],
            is_synthetic=True,
            **meta,
        )
    for source in sources.values():
        services.do_assign_coders(source, [coder, researcher], actor=owner)
    n = 0
    first_coding: Coding | None = None
    for key, concept, by_coder, by_researcher in CODINGS:
        source = sources[key]
        code = _code_for(project, concept)
        for user, phrase in ((coder, by_coder), (researcher, by_researcher)):
            if phrase is None or code is None:
                continue
            start = source.text.find(phrase)
            if start < 0:
                raise ValueError(f"demo phrase not found in {key}: {phrase[:40]!r}")
            made = services.do_add_coding(source, [code], start, start + len(phrase), coder=user)
            first_coding = first_coding or made[0]
            n += 1
    services.do_save_memo(
        project,
        "SYNTHETIC memo. The national actors agree that documentation takes time from core "
        "tasks, but disagree on whose rules they are: the union points at local routines, the "
        "ministry at state supervision. Compare with the Fjordvik field note.",
        actor=researcher,
        title="Whose rules? (synthetic)",
    )
    services.do_save_memo(
        project,
        "SYNTHETIC memo. Code political results only where a politician speaks of the need to "
        "show results to voters or the press, not for ordinary reporting.",
        actor=researcher,
        title="Scope of 'Politicians' need to show results'",
        target=_code_for(project, "dilemma.political_results"),
    )
    if first_coding is not None:
        services.do_save_memo(
            project,
            "SYNTHETIC memo. The two coders drew this segment differently: one kept the "
            "concrete example about nurses. Discuss in the next coding meeting.",
            actor=coder,
            title="Boundary of the segment",
            target=first_coding,
        )
    for spec in CASES:
        case = services.do_save_case(
            project,
            spec["name"],
            actor=owner,
            kind="municipality",
            description="A made-up municipality for the demo.",
            attributes=spec["attributes"],
        )
        for key in spec["sources"]:
            services.do_assign_case(case, sources[key], actor=owner)
    ctx.log(f"  qda: {len(sources)} synthetic sources, {n} codings by two coders, 2 cases")
