"""Invitation and reminder e-mails, in the contact's language (nb, nn, da, en).

The texts are content in four fixed languages (not interface strings), so they live here rather
than in the gettext catalogues. Every message carries the contact's personal link
``{base_url}/s/{token}/`` and an opt-out link ``{base_url}/s/{token}/opt-out/``; a reminder repeats
the link of the invitation, because the token is derived from the contact's nonce and never
stored (:mod:`tillit.apps.surveys.tokens`).

Sending uses Django's e-mail framework (``EMAIL_BACKEND``, ``EMAIL_HOST`` … from the
``TILLIT_SMTP_*`` environment, see docs/surveys.md). :func:`send_all` sends one message at a time
over one connection, and a failure (refused recipient, lost connection) marks that message failed
and goes on with the next.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from tillit.apps.surveys import tokens
from tillit.apps.surveys.models import Contact, Survey
from tillit.errors import ErrorCode, TillitError

LANGUAGES = ("nb", "nn", "da", "en")

SUBJECTS = {
    "invitation": {
        "nb": "Invitasjon: {title}",
        "nn": "Invitasjon: {title}",
        "da": "Invitation: {title}",
        "en": "Invitation: {title}",
    },
    "reminder": {
        "nb": "Påminnelse: {title}",
        "nn": "Påminning: {title}",
        "da": "Påmindelse: {title}",
        "en": "Reminder: {title}",
    },
}

GREETINGS = {
    "nb": "Kjære {name},",
    "nn": "Kjære {name},",
    "da": "Kære {name},",
    "en": "Dear {name},",
}
GREETINGS_NO_NAME = {"nb": "Hei,", "nn": "Hei,", "da": "Kære modtager,", "en": "Dear colleague,"}

BODIES = {
    "invitation": {
        "nb": (
            "Vi inviterer deg til å svare på undersøkelsen «{title}».\n\n"
            "Svarene dine er viktige for forskningen på tillitsbasert styring i kommunene. "
            "Det tar omtrent 15 minutter, og du kan ta pauser og fortsette senere med den samme "
            "lenken.\n\n"
            "Din personlige lenke:\n{link}\n\n"
            "Lenken er personlig; ikke send den videre.\n\n"
            "Ønsker du ikke å delta, kan du melde deg av her, så får du ingen flere e-poster:\n"
            "{opt_out}\n\n"
            "På forhånd takk!\n"
        ),
        "nn": (
            "Vi inviterer deg til å svare på undersøkinga «{title}».\n\n"
            "Svara dine er viktige for forskinga på tillitsbasert styring i kommunane. "
            "Det tek om lag 15 minutt, og du kan ta pausar og halde fram seinare med den same "
            "lenkja.\n\n"
            "Den personlege lenkja di:\n{link}\n\n"
            "Lenkja er personleg; ikkje send henne vidare.\n\n"
            "Ønskjer du ikkje å vere med, kan du melde deg av her, så får du ingen fleire "
            "e-postar:\n{opt_out}\n\n"
            "Takk på førehand!\n"
        ),
        "da": (
            "Vi inviterer dig til at besvare undersøgelsen »{title}«.\n\n"
            "Dine svar er vigtige for forskningen i tillidsbaseret styring i kommunerne. "
            "Det tager omkring 15 minutter, og du kan holde pause og fortsætte senere med det "
            "samme link.\n\n"
            "Dit personlige link:\n{link}\n\n"
            "Linket er personligt; send det venligst ikke videre.\n\n"
            "Ønsker du ikke at deltage, kan du framelde dig her, så får du ikke flere e-mails:\n"
            "{opt_out}\n\n"
            "På forhånd tak!\n"
        ),
        "en": (
            'We invite you to answer the survey "{title}".\n\n'
            "Your answers matter for research on trust-based governance in municipalities. "
            "It takes about 15 minutes, and you can pause and continue later with the same "
            "link.\n\n"
            "Your personal link:\n{link}\n\n"
            "The link is personal; please do not forward it.\n\n"
            "If you do not wish to take part, you can opt out here and will get no more e-mails:\n"
            "{opt_out}\n\n"
            "Thank you in advance!\n"
        ),
    },
    "reminder": {
        "nb": (
            "For en tid siden inviterte vi deg til undersøkelsen «{title}». Hvis du allerede "
            "har svart, takk! Hvis ikke, setter vi stor pris på om du tar deg tid nå. Har du "
            "begynt, fortsetter du der du slapp.\n\n"
            "Din personlige lenke (den samme som i invitasjonen):\n{link}\n\n"
            "Meld deg av, så får du ingen flere e-poster:\n{opt_out}\n\n"
            "Takk!\n"
        ),
        "nn": (
            "For ei tid sidan inviterte vi deg til undersøkinga «{title}». Har du alt svara, "
            "takk! Om ikkje, set vi stor pris på om du tek deg tid no. Har du byrja, held du "
            "fram der du slapp.\n\n"
            "Den personlege lenkja di (den same som i invitasjonen):\n{link}\n\n"
            "Meld deg av, så får du ingen fleire e-postar:\n{opt_out}\n\n"
            "Takk!\n"
        ),
        "da": (
            "For nylig inviterede vi dig til undersøgelsen »{title}«. Har du allerede svaret, "
            "så tak! Hvis ikke, vil vi sætte stor pris på, at du tager dig tid nu. Er du gået i "
            "gang, fortsætter du, hvor du slap.\n\n"
            "Dit personlige link (det samme som i invitationen):\n{link}\n\n"
            "Frameld dig, så får du ikke flere e-mails:\n{opt_out}\n\n"
            "Tak!\n"
        ),
        "en": (
            'A while ago we invited you to the survey "{title}". If you have answered already, '
            "thank you! If not, we would be grateful if you could take the time now. If you "
            "have started, you will continue where you left off.\n\n"
            "Your personal link (the same as in the invitation):\n{link}\n\n"
            "Opt out and get no more e-mails:\n{opt_out}\n\n"
            "Thank you!\n"
        ),
    },
}


def clean_base_url(base_url: str) -> str:
    """``https://example.org/`` -> ``https://example.org``; refuse anything but http(s)."""
    url = (base_url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) < 10 or any(c in url for c in " \n"):
        raise TillitError(
            f"{base_url!r} is not a base address for links.",
            ErrorCode.USAGE,
            hint="Give the public address of this tillit server, e.g. https://tillit.example.org",
        )
    return url


def links(contact: Contact, base_url: str) -> tuple[str, str]:
    """The contact's personal link and opt-out link."""
    token = tokens.token_for(contact)
    return f"{base_url}/s/{token}/", f"{base_url}/s/{token}/opt-out/"


def message_language(contact: Contact) -> str:
    return contact.language if contact.language in LANGUAGES else "en"


def build_message(survey: Survey, contact: Contact, kind: str, base_url: str) -> EmailMessage:
    """The invitation or reminder for one contact (``kind`` is ``invitation`` or ``reminder``)."""
    lang = message_language(contact)
    link, opt_out = links(contact, base_url)
    greeting = (
        GREETINGS[lang].format(name=contact.name) if contact.name else GREETINGS_NO_NAME[lang]
    )
    body = (
        greeting
        + "\n\n"
        + BODIES[kind][lang].format(title=survey.title, link=link, opt_out=opt_out)
    )
    msg = EmailMessage(
        subject=SUBJECTS[kind][lang].format(title=survey.title),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[contact.email],
        headers={"List-Unsubscribe": f"<{opt_out}>", "Content-Language": lang},
    )
    return msg


@dataclass(frozen=True)
class Outcome:
    """What happened to one message."""

    contact: Contact
    language: str
    ok: bool
    error: str = ""


def send_all(
    survey: Survey, contacts: Iterable[Contact], kind: str, base_url: str
) -> list[Outcome]:
    """Send ``kind`` to every contact over one connection; a failure does not stop the rest."""
    connection = get_connection(fail_silently=False)
    outcomes: list[Outcome] = []
    try:
        for contact in contacts:
            lang = message_language(contact)
            try:
                msg = build_message(survey, contact, kind, base_url)
                connection.open()  # keeps one connection open across messages
                sent = connection.send_messages([msg])
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                outcomes.append(Outcome(contact, lang, False, f"{type(exc).__name__}: {exc}"[:500]))
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.close()  # start afresh: the next message opens a new connection
                continue
            outcomes.append(Outcome(contact, lang, bool(sent), "" if sent else "not sent"))
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return outcomes


@dataclass
class Mailing:
    """Result of an invitation or reminder round."""

    kind: str
    n_sent: int = 0
    n_failed: int = 0
    n_skipped: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sent": self.n_sent,
            "failed": self.n_failed,
            "skipped": self.n_skipped,
            "failures": self.failures,
        }
