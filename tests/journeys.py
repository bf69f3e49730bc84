"""Small helpers that walk a signed-in client through the practitioner journey."""

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from accounts.middleware import AUTH_STARTED_KEY, SEEN_KEY
from accounts.models import SealedTOTPDevice, User
from accounts.services import confirmed_totp_device, session_track, totp_device_create
from accounts.stepup import REAUTH_KEY
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.services import involvement_record
from children.viewing import PURPOSES_SESSION_KEY as PURPOSES_KEY
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


def totp_device(user: User) -> SealedTOTPDevice:
    device = confirmed_totp_device(user)
    return device or totp_device_create(user=user, name="test", confirmed=True)


def current_code(device: SealedTOTPDevice, offset_steps: int = 0) -> str:
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


@dataclass(frozen=True)
class HeldSession:
    """What a signed-in client's session held, and when (`time.time()`) it was read."""

    items: dict[str, Any]
    read_at: float


def session_of(client: Client) -> HeldSession:
    """What a signed-in client's session holds now, for `session_copy`."""
    return HeldSession(dict(client.session.items()), time.time())


# The session's own clocks: when the person signed in, last proved both factors (step-up) and was last seen.
_TIMES = (AUTH_STARTED_KEY, REAUTH_KEY, SEEN_KEY)


def _moved_on(held: HeldSession) -> dict[str, Any]:
    """`held` as it would be had it been made now: every time it holds moved on by the time since it was
    read (the sign-in, step-up and last-seen times, each stated purpose's expiry), so a copy made minutes
    later is no nearer its limits than the original was then."""
    since = time.time() - held.read_at
    items = dict(held.items)
    for key in _TIMES:
        if isinstance(items.get(key), int | float):
            items[key] += since
    if PURPOSES_KEY in items:
        items[PURPOSES_KEY] = {
            child_id: {**grant, "expires": grant["expires"] + since}
            for child_id, grant in items[PURPOSES_KEY].items()
        }
    return items


def session_copy(user: User, held: HeldSession) -> Client:
    """A new client in a new session holding `held` (`session_of` a client signed in as `user`), tracked
    as signing in tracks it: the state signing in again and repeating what that client did would leave,
    for two inserts instead of several requests (a test that needs thousands of fresh sessions). Its times
    are moved on to now (`_moved_on`): a copy made after the original's purpose or step-up ran out would
    be sent to the purpose page or to step-up, and the page it asked for would never run."""
    store = SessionStore()
    store.update(_moved_on(held))
    store.create()
    session_track(user=user, session_key=str(store.session_key))
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = str(store.session_key)
    return client


def state_purpose(client: Client, child: Child, purpose: str = "providing_service", detail: str = "") -> None:
    response = client.post(
        reverse("children:purpose", args=[child.pk]), {"purpose": purpose, "detail": detail}
    )
    assert response.status_code == 302, response.status_code


def involved(
    user: User,
    child: Child,
    *,
    name: str = "Alice Example",
    role: str = "Social worker",
    started_on: date | None = None,
) -> Involvement:
    """`user` records an involvement with `child` for their own organisation, as the service records it
    (no page, no purpose): the set-up of a practitioner who works with the child."""
    assert user.organisation_id is not None
    details = InvolvementDetails(name, role, user.organisation_id, started_on=started_on)
    return involvement_record(child=child, by=user, details=details)
