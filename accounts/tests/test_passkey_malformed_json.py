"""The passkey JSON endpoints answer a body Python's JSON reader refuses with a 400, never a 500.

`json.loads` raises `JSONDecodeError` for most bad bodies, which the package turns into its
"malformed request" answer; but a number of more than 4,300 digits raises a plain `ValueError` and
a deeply nested array a `RecursionError`, which the package re-raised: a server error on every
ceremony endpoint, for anyone holding the CSRF cookie the sign-in page hands out.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.journeys import signed_in, totp_device
from tests.personas import PASSWORD

ENDPOINTS = [
    "accounts:passkey_registration_begin",
    "accounts:passkey_registration_complete",
    "accounts:passkey_authentication_begin",
    "accounts:passkey_authentication_complete",
]
BODIES = {"a 5000-digit number": b"1" * 5000, "arrays nested 100,000 deep": b"[" * 100_000}


def _clients(world):
    totp_device(world.alice)
    anonymous = Client(raise_request_exception=False)
    password_only = Client(raise_request_exception=False)
    password_only.post(reverse("accounts:login"), {"username": world.alice.username, "password": PASSWORD})
    verified = signed_in(world.alice)
    verified.raise_request_exception = False
    return {"anonymous": anonymous, "password only": password_only, "verified": verified}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_the_json_reader_refuses_is_a_malformed_request_not_a_server_error(world, endpoint):
    for who, client in _clients(world).items():
        for what, body in BODIES.items():
            response = client.post(reverse(endpoint), data=body, content_type="application/json")
            assert response.status_code == 400, (who, what, response.status_code)
            assert response.json()["code"] == "malformed_request", (who, what)
