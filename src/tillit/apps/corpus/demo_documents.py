"""The demo corpus: short made-up documents in bokmål, nynorsk and Danish.

Written in tillit's own words, in the style of council minutes, plans, budgets and web pages.
Every document says in its first line and its title that it is synthetic: the municipalities are
real (so the register, maps and evidence links have something to point at), but none of them
wrote, discussed or decided anything here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NB = "SYNTETISK DEMODOKUMENT – oppdiktet tekst. Kommunen har ikke skrevet eller vedtatt dette."
NN = "SYNTETISK DEMODOKUMENT – dikta opp. Kommunen har ikkje skrive eller vedteke dette."
DA = "SYNTETISK DEMODOKUMENT – opdigtet tekst. Kommunen har ikke skrevet eller besluttet dette."


@dataclass(frozen=True)
class DemoDocument:
    code: str
    lang: str
    doc_type: str
    date: str
    filename: str
    title: str
    text: str


DOCUMENTS: tuple[DemoDocument, ...] = (
    DemoDocument(
        "3405", "nb", "council_minutes", "2023-03-16", "lillehammer-ks-2023-03.txt",
        "SYNTHETIC: Kommunestyret, møteprotokoll (fiktiv) – sak om tillitsreform",
        f"""{NB}

Sak 14/23 Tillitsreform i kommuneorganisasjonen

Kommunedirektøren la fram et notat om erfaringer fra andre kommuner. Notatet peker på at
ledere og ansatte bruker mye tid på rapportering som ingen leser, og at detaljstyring svekker
fagfolkenes mulighet til å bruke skjønn.

Vedtak: Kommunestyret vedtar å starte en tillitsreform. Målet er tillitsbasert styring og
ledelse i alle sektorer. Arbeidet skal skje i trepartssamarbeid mellom politikere, administrasjon
og tillitsvalgte.

Kommunedirektøren bes legge fram en plan for å redusere rapporterings- og dokumentasjonskrav
innen utgangen av året.

Valg av ny tillitsvalgt til arbeidsmiljøutvalget ble utsatt til neste møte.""",
    ),
    DemoDocument(
        "3405", "nb", "plan", "2023-10-02", "lillehammer-plan-tillit.txt",
        "SYNTHETIC: Plan for tillitsbasert ledelse 2024–2027 (fiktiv)",
        f"""{NB}

Planen beskriver hvordan kommunen skal gi mer handlingsrom til dem som møter innbyggerne.

Tiltak 1: Hver enhet gjennomgår egne skjemaer og fjerner rapporteringskrav som ikke brukes.

Tiltak 2: Delegering av myndighet til enhetslederne i budsjett og bemanning.

Tiltak 3: Forsøk med selvstyrte team i hjemmetjenesten, der teamet selv fordeler oppgavene.

Vi vil måle om ansatte opplever mindre kontroll og mer tid til kjerneoppgavene.""",
    ),
    DemoDocument(
        "1804", "nb", "budget", "2024-11-20", "bodo-budsjett-2025.txt",
        "SYNTHETIC: Budsjett 2025, kommunedirektørens forslag (fiktivt utdrag)",
        f"""{NB}

Kapittel 3 Styring

Kommunen går over til rammestyring: hver sektor får en ramme og ansvar for å prioritere innenfor
den. Antall styringsindikatorer i virksomhetsplanen reduseres fra 120 til 30.

Kapittel 7 Driftsbudsjett for helse og omsorg

Økte utgifter til ressurskrevende tjenester dekkes delvis av statlige tilskudd.""",
    ),
    DemoDocument(
        "5501", "nb", "web_page", "2024-02-01", "tromso-nyheter.html",
        "SYNTHETIC: Nyhet på kommunens nettside (fiktiv)",
        f"""<!DOCTYPE html><html lang="nb"><head><title>SYNTHETIC: Nyhet (fiktiv)</title>
<script>trackVisitor("demo");</script></head><body>
<p>{NB}</p>
<h1>Meld fra om meningsløse regler</h1>
<p>Ansatte kan nå melde fra om regler og rutiner som ikke gir mening, gjennom en egen kanal på
intranettet. Forslagene behandles i et partssammensatt utvalg.</p>
<p>Tiltaket er en del av arbeidet med tillitsbasert ledelse i kommunen.</p>
<p>Politiet minner om at tillit til politiet er viktig i nærmiljøet.</p>
</body></html>""",
    ),
    DemoDocument(
        "4621", "nn", "council_minutes", "2022-06-09", "voss-kommunestyre-2022-06.txt",
        "SYNTHETIC: Kommunestyret, møtebok (fiktiv) – tillitsreform",
        f"""{NN}

Sak 31/22 Tillitsreform i Voss herad

Kommunedirektøren orienterte om korleis tilsette i pleie og omsorg opplever mykje
dokumentasjon og lite tid til brukarane.

Vedtak: Kommunestyret vedtek å setje i gang ei tillitsreform. Kommunen skal arbeide for
tillitsbasert styring og leiing, i tett samarbeid med dei tillitsvalde.

Rapporterings- og dokumentasjonskrav skal gjennomgåast, og krav som ikkje blir brukte, skal
fjernast.""",
    ),
    DemoDocument(
        "4647", "nn", "plan", "2023-05-11", "sunnfjord-arbeidsgjevarstrategi.txt",
        "SYNTHETIC: Arbeidsgjevarstrategi (fiktiv)",
        f"""{NN}

Strategien skal gjere det lettare å rekruttere og halde på fagfolk.

Vi vil gje leiarane meir fridom gjennom delegering av mynde, og vi vil prøve ut sjølvstyrte
team i barnevernet. Tilsette skal ha medverknad i korleis arbeidet blir organisert.

Strategien skal evaluerast etter to år.""",
    ),
    DemoDocument(
        "1520", "nn", "report", "2024-01-15", "orsta-rapport-regelverk.txt",
        "SYNTHETIC: Rapport om regelforenkling (fiktiv)",
        f"""{NN}

Prosjektgruppa har gått gjennom 140 interne rutinar. 38 av dei blir foreslått oppheva, fordi
dei overlappar med lovkrav eller ikkje lenger er i bruk.

Gruppa tilrår ei fast ordning for regelforenkling kvart år, og at dei tilsette blir tekne med i
arbeidet.""",
    ),
    DemoDocument(
        "0301", "nb", "report", "2023-09-01", "oslo-bydel-notat.txt",
        "SYNTHETIC: Notat fra en bydel (fiktivt)",
        f"""{NB}

Bydelen har prøvd ut færre målekrav i hjemmetjenesten. Tidsstandarder for besøk er fjernet i to
soner, og de ansatte avgjør selv hvor lang tid et besøk skal ta.

Notatet peker også på dilemmaer: likebehandling og etterprøvbarhet må ivaretas når skjønnet
får mer plass.""",
    ),
    DemoDocument(
        "461", "da", "council_minutes", "2022-11-23", "odense-byraad-2022-11.txt",
        "SYNTHETIC: Byrådsmøde, beslutningsprotokol (fiktiv) – tillidsreform",
        f"""{DA}

Punkt 8 Tillidsreform i kommunens velfærdsområder

Direktionen fremlagde et oplæg om mindre kontrol og mere tillid i opgaveløsningen.

Beslutning: Byrådet beslutter at indføre en tillidsreform. Kommunen vil arbejde med
tillidsbaseret styring og ledelse, og dokumentationskrav, der ikke giver værdi for borgerne,
skal afskaffes.

Reformen skal udvikles i samarbejde med medarbejdere og tillidsrepræsentanter.""",
    ),
    DemoDocument(
        "851", "da", "plan", "2023-04-18", "aalborg-strategi.txt",
        "SYNTHETIC: Strategi for tillidsbaseret ledelse (fiktiv)",
        f"""{DA}

Strategien bygger på tre spor: afbureaukratisering, uddelegering af beslutninger og
samskabelse med borgerne.

Vi vil afskaffe unødige registreringer og give medarbejderne frihed til at bruge deres
faglighed. Lederne skal have kompetence til at træffe beslutninger tæt på borgeren.""",
    ),
    DemoDocument(
        "265", "da", "budget", "2024-09-30", "roskilde-budget-2025.txt",
        "SYNTHETIC: Budget 2025, bemærkninger (fiktivt uddrag)",
        f"""{DA}

Rammestyring videreføres: hvert fagudvalg får en samlet ramme og ansvar for at prioritere.

Antallet af mål og nøgletal i budgettet reduceres, så opfølgningen fokuserer på det, der betyder
noget for borgerne.

Anlægsbudgettet omfatter renovering af to skoler.""",
    ),
    DemoDocument(
        "630", "da", "web_page", "2024-03-05", "vejle-nyhed.html",
        "SYNTHETIC: Nyhed på kommunens hjemmeside (fiktiv)",
        f"""<!DOCTYPE html><html lang="da"><head><title>SYNTHETIC: Nyhed (fiktiv)</title>
<style>p {{ color: #333; }}</style></head><body>
<p>{DA}</p>
<h1>Selvstyrende teams i ældreplejen</h1>
<p>Et forsøg med selvstyrende teams i hjemmeplejen er sat i gang. Teamet planlægger selv
besøgene og aftaler med borgeren, hvad hjælpen skal indeholde.</p>
<p>Forsøget er en del af kommunens arbejde med en tillidsreform.</p>
</body></html>""",
    ),
    DemoDocument(
        "657", "da", "report", "2023-12-12", "herning-evaluering.txt",
        "SYNTHETIC: Evaluering af frisættelsesforsøg (fiktiv)",
        f"""{DA}

Evalueringen viser, at medarbejderne oplever mere tid til kerneopgaven, men også usikkerhed om
retssikkerhed og ligebehandling, når der er færre faste regler.

Politikerne efterspørger fortsat resultater, og det skaber et dilemma mellem frihed og
dokumentation.""",
    ),
    DemoDocument(
        "751", "da", "council_minutes", "2021-05-26", "aarhus-udvalg-2021.txt",
        "SYNTHETIC: Udvalgsmøde, referat (fiktivt)",
        f"""{DA}

Punkt 4 Orientering om trepartssamarbejde

Udvalget drøftede samarbejdet mellem politikere, ledelse og medarbejdere. Der var enighed om at
fortsætte dialogen.

Punkt 5 Valg af tillidsrepræsentant til MED-udvalget blev taget til efterretning.""",
    ),
)  # fmt: skip


def _unwrap(text: str) -> str:
    """Join the lines of each paragraph (the source above is wrapped for reading)."""
    return re.sub(r"(?<=\S)\n(?=\S)", " ", text)


DOCUMENTS = tuple(
    DemoDocument(d.code, d.lang, d.doc_type, d.date, d.filename, d.title, _unwrap(d.text))
    for d in DOCUMENTS
)
