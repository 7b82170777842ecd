"""Invitation tokens: at least 128 bits, derived not stored, tampering and revocation give None."""

import math

import pytest

from tests.surveys.conftest import contacts_table, to_csv
from tillit.apps.surveys import services, tokens
from tillit.apps.surveys.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(framed, owner):
    cases = list(framed.cases.filter(country="NO").order_by("municipality_code")[:2])
    services.do_import_contacts(
        framed, "c.csv", to_csv(contacts_table(cases)).encode(), actor=owner
    )
    return Contact.objects.select_related("case").get(case=cases[0])


def test_token_has_at_least_128_bits_and_is_not_stored(contact):
    token = tokens.token_for(contact)
    assert tokens.TOKEN_RE.fullmatch(token)
    assert len(token) * math.log2(64) >= 128
    stored = " ".join(str(v) for v in Contact.objects.filter(pk=contact.pk).values().get().values())
    assert token not in stored
    assert contact.token_hash == tokens.token_hash(token)


def test_token_resolves_to_its_case(contact):
    assert tokens.case_for_token(tokens.token_for(contact)) == contact.case


def test_tampered_tokens_resolve_to_nothing(contact):
    token = tokens.token_for(contact)
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (flipped, token[:-1], token + "x", "", "../../etc/passwd", token.upper()):
        assert tokens.case_for_token(bad) is None


def test_new_nonce_revokes_the_old_link(contact):
    old = tokens.token_for(contact)
    contact.token_nonce = tokens.new_nonce()
    contact.token_hash = tokens.token_hash(tokens.token_for(contact))
    contact.save()
    assert tokens.case_for_token(old) is None
    assert tokens.case_for_token(tokens.token_for(contact)) == contact.case


def test_tokens_differ_between_contacts(framed, contact):
    other = Contact.objects.exclude(pk=contact.pk).get()
    assert tokens.token_for(other) != tokens.token_for(contact)
