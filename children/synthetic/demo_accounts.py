"""Demo sign-ins for every role, with a fresh random password at every `load_demo`.

A demo account is recognised by two marks together: a `demo-` username and an organisation whose
code starts `DEMO-`. Passwords are only ever reset on accounts carrying both, so a real account that
happens to be called demo-something is never touched.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.mfa import totp_secret_base32
from accounts.models import Organisation, Role, SealedTOTPDevice, User
from accounts.services import confirmed_totp_device, totp_device_create
from children.synthetic.directory import DEMO_PREFIX
from children.synthetic.places import PLACES

USERNAME_PREFIX = "demo-"


@dataclass(frozen=True)
class DemoAccountSpec:
    username: str
    role: str
    organisation_code: str
    first_name: str
    last_name: str
    job_title: str


@dataclass(frozen=True)
class DemoAccount:
    user: User
    password: str
    totp_secret: str


def _specs() -> list[DemoAccountSpec]:
    leeds, bristol = PLACES[0].code, PLACES[1].code
    specs = [
        DemoAccountSpec(
            "demo-teacher", Role.PRACTITIONER, f"{leeds}-PRI-1", "Hannah", "Webb", "Class teacher"
        ),
        DemoAccountSpec(
            "demo-health-visitor", Role.PRACTITIONER, f"{bristol}-HV", "Priya", "Sharma", "Health visitor"
        ),
        DemoAccountSpec(
            "demo-social-worker", Role.OVERRIDE_HOLDER, f"{leeds}-SC", "Daniel", "Okoye", "Social worker"
        ),
        DemoAccountSpec("demo-police", Role.OVERRIDE_HOLDER, f"{bristol}-POL", "Karen", "Doyle", "Detective"),
        DemoAccountSpec(
            "demo-data-manager", Role.DATA_MANAGER, leeds, "Martin", "Hughes", "ContactPoint data manager"
        ),
        DemoAccountSpec(
            "demo-auditor", Role.NATIONAL_AUDITOR, "DEMO-NAT-AUDIT", "Ruth", "Adeyemi", "National auditor"
        ),
        DemoAccountSpec("demo-feed", Role.FEED_SOURCE, "DEMO-NAT-FEED", "Feed", "System", "Feed source"),
        DemoAccountSpec(
            "demo-admin", Role.SYSTEM_ADMIN, "DEMO-NAT-OPS", "Sean", "Gallagher", "System administrator"
        ),
    ]
    team = (("Jo", "Marsden"), ("Amir", "Hassan"), ("Claire", "Dunn"), ("Tom", "Reilly"))
    for place, (first, last) in zip(PLACES[:4], team, strict=True):
        username = f"demo-la-team-{place.key.lower()}"
        specs.append(DemoAccountSpec(username, Role.LA_TEAM, place.code, first, last, "ContactPoint LA team"))
    return specs


DEMO_ACCOUNTS = _specs()


def is_demo_account(user: User) -> bool:
    organisation = user.organisation
    return (
        user.username.startswith(USERNAME_PREFIX)
        and organisation is not None
        and organisation.code.startswith(DEMO_PREFIX)
    )


class NotADemoAccount(Exception):
    """A non-demo account holds a demo username: refuse rather than reset its password."""


def _password() -> str:
    return secrets.token_urlsafe(12)


def _demo_authenticator(user: User) -> SealedTOTPDevice:
    """One confirmed authenticator per demo account, kept across runs so a phone app stays paired."""
    device = confirmed_totp_device(user)
    return device or totp_device_create(user=user, name="Demo authenticator", confirmed=True)


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create or refresh every demo account: current vetting dates, a new random password each run."""
    today = timezone.localdate()
    organisations = {o.code: o for o in Organisation.objects.filter(code__startswith=DEMO_PREFIX)}
    accounts = []
    for spec in DEMO_ACCOUNTS:
        user = User.objects.filter(username=spec.username).select_related("organisation").first()
        if user is not None and not is_demo_account(user):
            raise NotADemoAccount(f"{spec.username} exists but is not a demo account; not touching it")
        user = user or User(username=spec.username)
        user.role = spec.role
        user.organisation = organisations[spec.organisation_code]
        user.first_name, user.last_name, user.job_title = spec.first_name, spec.last_name, spec.job_title
        user.email = f"{spec.username}@example.org"
        user.background_check_on = today - timedelta(days=200)
        user.training_completed_on = today - timedelta(days=30)
        user.agreement_signed_on = today - timedelta(days=30)
        user.suspended_at = None
        user.is_active = True
        password = _password()
        user.set_password(password)
        user.save()
        accounts.append(DemoAccount(user, password, totp_secret_base32(_demo_authenticator(user))))
    return accounts
