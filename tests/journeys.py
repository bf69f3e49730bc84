"""Small helpers that walk a signed-in client through the practitioner journey."""

import time

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import AUTH_STARTED_KEY
from accounts.models import User
from accounts.stepup import REAUTH_KEY
from children.models import Child
from tests.personas import PASSWORD

# Alice's involvement as the "record your involvement" page posts it.
INVOLVEMENT_FORM = {
    "role": "Social worker",
    "phone": "0300 111 2222",
    "email": "alice@example.org",
    "start_day": "2",
    "start_month": "9",
    "start_year": "2024",
}


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The TOTP code an authenticator app would show now (or `offset_steps` steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def signed_in(user: User, *, reauthenticated: bool = True) -> Client:
    """A client past password and second factor (the real MFA form is tested in accounts/tests)."""
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session[AUTH_STARTED_KEY] = time.time()
    if reauthenticated:
        session[REAUTH_KEY] = time.time()
    session.save()
    return client


def state_purpose(client: Client, child: Child, purpose: str = "providing_service", detail: str = "") -> None:
    response = client.post(
        reverse("children:purpose", args=[child.pk]), {"purpose": purpose, "detail": detail}
    )
    assert response.status_code == 302, response.status_code
