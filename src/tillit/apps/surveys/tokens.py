"""Invitation tokens: 256-bit, derived (not stored), looked up by hash, checked in constant time.

token = base64url(HMAC-SHA256(SECRET_KEY, "tillit-invite:<survey pk>:<case_id>:<nonce>"))

Only ``sha256(token)`` is stored (``Contact.token_hash``) for look-up; the token itself is derived
again when an invitation or reminder is sent, so every message carries the same link. Changing
the nonce (``new_nonce``) revokes a link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings

from tillit.apps.surveys.models import Case, Contact

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_nonce() -> str:
    return secrets.token_hex(16)


def derive_token(survey_pk: int, case_id: str, nonce: str) -> str:
    msg = f"tillit-invite:{survey_pk}:{case_id}:{nonce}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(contact: Contact) -> str:
    """The contact's current token (derived again; never read from the database)."""
    case = contact.case
    return derive_token(case.survey_id, case.case_id, contact.token_nonce)


def case_for_token(token: str) -> Case | None:
    """The case a token belongs to, or None for a malformed, unknown or revoked token."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    contact = (
        Contact.objects.select_related("case__survey").filter(token_hash=token_hash(token)).first()
    )
    if contact is None or not contact.token_nonce:
        return None
    expected = derive_token(contact.case.survey_id, contact.case.case_id, contact.token_nonce)
    if not hmac.compare_digest(expected, token):
        return None
    return contact.case


def new_case_id() -> str:
    """A pseudonymous case id: 'c' + 12 base32 characters (60 random bits; unique by retry)."""
    return "c" + base64.b32encode(secrets.token_bytes(10)).decode().lower()[:12]
