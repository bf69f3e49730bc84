"""A passkey registration whose signed parts verify, but whose body no browser would send, is answered
by the package's JSON refusal, never a server error, and stores nothing.

Two shapes got past the ceremony's checks to a 500 (for anyone signed in with a recent step-up):
- a credential id already registered (to the same person, or to someone else): the database refused the
  second row (`credential_id_sha256` is unique) with an `IntegrityError` nothing caught;
- `clientExtensionResults` (unsigned, read only to note whether the passkey is discoverable) that is not
  an object of objects: the package's `"rk" in ...` raised `TypeError` on a number, `null` or a string.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.webauthn import SoftAuthenticator

REGISTER_BEGIN = reverse("accounts:passkey_registration_begin")
REGISTER_COMPLETE = reverse("accounts:passkey_registration_complete")


def _client(user) -> Client:
    client = signed_in(user)
    client.raise_request_exception = False
    return client


def _post_json(client: Client, url: str, payload: object):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def _registration(client: Client, authenticator: SoftAuthenticator) -> dict:
    return authenticator.create(_post_json(client, REGISTER_BEGIN, {}).json())


def test_a_passkey_registered_already_is_refused_as_already_registered_not_a_server_error(world):
    authenticator = SoftAuthenticator()
    alice = _client(world.alice)
    assert _post_json(alice, REGISTER_COMPLETE, _registration(alice, authenticator)).status_code == 200

    again = _post_json(alice, REGISTER_COMPLETE, _registration(alice, authenticator))
    bob = _client(world.bob)
    as_bobs = _post_json(bob, REGISTER_COMPLETE, _registration(bob, authenticator))

    for who, response in (("Alice again", again), ("Bob", as_bobs)):
        assert response.status_code == 409, f"{who}: {response.status_code}"
        assert response.json()["code"] == "passkey_already_registered", who
        assert response.json()["detail"] == "This passkey is already added to a ContactPoint account", who
    assert list(WebAuthnCredential.objects.values_list("user_id", flat=True)) == [world.alice.pk]
    assert AuditEvent.objects.filter(tag=AuditTag.PasskeyRegistered).count() == 1
    page = bob.get(reverse("accounts:passkeys")).content.decode()
    assert "You have not added a passkey." in page


@pytest.mark.parametrize(
    "extensions",
    [5, None, "credProps", [], {"credProps": 5}, {"credProps": None}, {"credProps": "rk"}],
    ids=["number", "null", "string", "list", "credProps number", "credProps null", "credProps string"],
)
def test_extension_results_not_shaped_as_a_browser_sends_them_are_a_malformed_request(world, extensions):
    alice = _client(world.alice)
    body = _registration(alice, SoftAuthenticator())
    body["clientExtensionResults"] = extensions

    response = _post_json(alice, REGISTER_COMPLETE, body)

    assert response.status_code == 400, response.status_code
    assert response.json()["code"] == "malformed_request"
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.PasskeyRegistered).exists()


def test_extension_results_as_a_browser_sends_them_still_register_the_passkey(world):
    for extensions, discoverable in (
        ({}, None),
        ({"credProps": {"rk": True}}, True),
        ({"credProps": {}}, None),
    ):
        WebAuthnCredential.objects.all().delete()
        alice = _client(world.alice)
        body = _registration(alice, SoftAuthenticator())
        body["clientExtensionResults"] = extensions

        response = _post_json(alice, REGISTER_COMPLETE, body)

        assert response.status_code == 200, (extensions, response.status_code)
        assert WebAuthnCredential.objects.get(user=world.alice).discoverable is discoverable
