"""Organisations and the people (and systems) who use ContactPoint."""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower, Upper
from django_otp.models import Device, DeviceManager, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.dates import years_after
from accounts.usernames import username_skeleton
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.sealing import note_seal, note_unseal


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "la", "Local authority"
    SCHOOL = "school", "Educational setting"
    GP_PRACTICE = "gp", "GP practice"
    HEALTH = "health", "Health service"
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "Police"
    YOUTH = "youth", "Youth service"
    SENSITIVE = "sensitive", "Sensitive service"
    NATIONAL = "national", "National body"


class Organisation(models.Model):
    """Directory data (public contact details of services), not personal data about children."""

    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, unique=True, help_text="e.g. LA code, URN, ODS code")
    local_authority = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    accredited_on = models.DateField(null=True, blank=True)
    # The organisation's own working hours, for the out-of-hours misuse rule (oversight.misuse), when
    # they differ from the national setting: an emergency duty team works nights and weekends. Both
    # or neither; an end at or before the start runs past midnight; every day of the week when set.
    working_hours_start = models.TimeField(null=True, blank=True)
    working_hours_end = models.TimeField(null=True, blank=True)
    # Closed by the system administrator: never deleted, so the involvements its staff recorded and what
    # they did stay readable. From this day its staff are refused (access.policy "organisation_closed").
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        # Codes are compared ignoring case ("urn-1" is "URN-1"): the form checks, and the database keeps
        # the rule when two administrators add look-alike codes at the same moment.
        constraints = [
            models.UniqueConstraint(Upper("code"), name="accounts_organisation_code_upper_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def home_la_id(self) -> int | None:
        """The LA an organisation belongs to; an LA belongs to itself."""
        return self.pk if self.kind == OrganisationKind.LOCAL_AUTHORITY else self.local_authority_id


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    OVERRIDE_HOLDER = "override_holder", "Practitioner with shield override"
    LA_TEAM = "la_team", "LA management team"
    DATA_MANAGER = "data_manager", "Data manager"
    NATIONAL_AUDITOR = "national_auditor", "National auditor"
    FEED_SOURCE = "feed_source", "Feed source (system)"
    SYSTEM_ADMIN = "system_admin", "System administrator"


# The accounts the system administrator invites and looks after: the national roles, and each LA's
# ContactPoint team (who then look after everyone else in their LA). Practitioners are their LA's. Kept
# here, beside the roles, so that the misuse rules (oversight, below the access policy) route an alert
# about one of these accounts to whoever manages it.
NATIONALLY_MANAGED_ROLES = frozenset(
    {Role.NATIONAL_AUDITOR, Role.DATA_MANAGER, Role.SYSTEM_ADMIN, Role.LA_TEAM}
)
# The accounts an LA team looks after in its own LA (what its invitation offers): everyone else is the
# system administrator's (NATIONALLY_MANAGED_ROLES), whatever organisation they name, so that the team
# can never suspend or close the auditor who reviews it, nor a colleague lift a suspension of another
# colleague or switch off their own-address rule.
LA_MANAGED_ROLES = frozenset({Role.PRACTITIONER, Role.OVERRIDE_HOLDER})


BACKGROUND_CHECK_VALID_YEARS = 3
TRAINING_VALID_YEARS = 1


def background_check_lapses_on(checked_on: date) -> date:
    """The first day a background check made on `checked_on` no longer counts: its third anniversary."""
    return years_after(checked_on, BACKGROUND_CHECK_VALID_YEARS)


def training_lapses_on(completed_on: date) -> date:
    """The first day a pass made on `completed_on` no longer counts: its anniversary (`years_after`)."""
    return years_after(completed_on, TRAINING_VALID_YEARS)


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    background_check_on = models.DateField(null=True, blank=True)
    training_completed_on = models.DateField(null=True, blank=True)
    agreement_signed_on = models.DateField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Why the account was suspended, as typed: free text that often names the child looked up, so it is
    # sealed under the account's own notes key (vault.sealing.note_seal), never stored in clear.
    suspension_reason_sealed = models.TextField(blank=True)
    # The LA the account belonged to when it was suspended (none for a national account): the reason is read
    # only while the account still belongs to it (`accounts.services.suspension_reason_shown`).
    suspended_in_la_id = models.IntegerField(null=True, blank=True)
    notes_key = models.ForeignKey(DataKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    manager_email = models.EmailField(blank=True, help_text="told when this account is suspended")
    username_skeleton = models.CharField(
        max_length=150, blank=True, db_index=True, help_text="look-alike check (accounts.usernames)"
    )
    # The own-address misuse rule (accounts.home_postcode): a keyed blind token of the person's home
    # postcode, as the LA team read it from the enhanced background check. The postcode itself is never
    # stored: the token can only be compared with another postcode's token.
    home_postcode_token = models.CharField(max_length=32, blank=True)
    home_postcode_recorded_on = models.DateField(null=True, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs omit the abstract Meta
        # No two accounts may look alike (accounts.usernames), also when two are invited at the same
        # moment and both pass the form's check: the database keeps the rule. An empty skeleton (an
        # account saved without one) is no name and is left out.
        constraints = [
            models.UniqueConstraint(
                fields=["username_skeleton"],
                condition=~models.Q(username_skeleton=""),
                name="accounts_user_username_skeleton_unique",
            ),
            # One open account per email address, ignoring letter case (the invitation form's rule), also
            # when two invitations of one address are sent at the same moment. Closed accounts keep theirs
            # (the person may be invited again); accounts with no address (feed sources) are left out.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(is_active=True) & ~models.Q(email=""),
                name="accounts_user_open_email_unique",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the skeleton beside the name, so a look-alike check is one indexed lookup."""
        self.username_skeleton = username_skeleton(self.username)
        if (fields := kwargs.get("update_fields")) is not None and "username" in fields:
            kwargs["update_fields"] = {*fields, "username_skeleton"}
        super().save(*args, **kwargs)

    def background_check_current(self, today: date) -> bool:
        return self.background_check_on is not None and today < background_check_lapses_on(
            self.background_check_on
        )

    def training_current(self, today: date) -> bool:
        return self.training_completed_on is not None and today < training_lapses_on(
            self.training_completed_on
        )

    @property
    def home_la_id(self) -> int | None:
        return self.organisation.home_la_id if self.organisation else None


class UserSession(models.Model):
    """Which sessions belong to whom, so suspending or closing an account ends them all at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Session of user {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use recovery code, stored only as a password hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=200)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code of user {self.user_id}"


class Invitation(models.Model):
    """A single-use, 24-hour link to set a password; only its hash is stored."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation for user {self.user_id}"


# The sealed authenticator secret's context (bound into its AAD with the account's and the device's ids).
TOTP_KEY_CONTEXT = "totp_key"


class AuthenticatorSecretUnreadable(DecryptionFailed):
    """The sealed secret does not open for this account and device (moved, altered, or no notes key)."""


class SealedTOTPDeviceManager(DeviceManager, models.Manager["SealedTOTPDevice"]):
    """django-otp's device manager (`devices_for_user`), typed: django-otp ships no type information."""


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device, models.Model):  # Model: django-otp is untyped
    """An authenticator app (TOTP), django-otp's `TOTPDevice` with its secret sealed under the vault.

    django-otp's own device keeps the secret as hex in a plain column, so a copy of the database gave
    every account's current codes. Here it is a note sealed under the account's own notes key
    (`vault.sealing.note_seal`), its context naming the account and this device: copied to another
    device or account row it does not open, and only the key provider (outside the database) opens it.
    Codes are checked by django-otp's own algorithm (`django_otp.oath.TOTP`), with its rules: a time step
    is used once (`last_t`), the clock drift is followed, and each wrong code locks the device for a
    while (`ThrottlingMixin`). django-otp finds the model itself (a `Device` of an installed app).
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="sealed_totp_devices",
        help_text="The user that this device belongs to.",
    )
    key_sealed = models.TextField(editable=False, help_text="The secret, sealed (vault.sealing.note_seal).")
    step = models.PositiveSmallIntegerField(default=30, help_text="The time step in seconds.")
    t0 = models.BigIntegerField(default=0, help_text="The Unix time at which to begin counting steps.")
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(
        default=1, help_text="The number of time steps in the past or future to allow."
    )
    drift = models.SmallIntegerField(
        default=0, help_text="The number of time steps the prover is known to deviate from our clock."
    )
    last_t = models.BigIntegerField(
        default=-1, help_text="The time step of the last verified code; the next must be at a higher one."
    )

    objects = SealedTOTPDeviceManager()

    # The secret once opened (or sealed), with the sealed text it came from: one unwrap per loaded row.
    _opened: tuple[str, bytes] | None = None

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    def __str__(self) -> str:
        return f"Authenticator app of user {self.user_id}"

    def _context(self) -> str:
        return f"{TOTP_KEY_CONTEXT}|{self.user_id}|{self.pk}"

    def key_seal(self, secret: bytes, *, notes_key: DataKey) -> None:
        """Seal `secret` into `key_sealed` (the caller saves): the device must be saved, its account's
        notes key the one given (`accounts.services.totp_device_create`)."""
        if self.pk is None:
            raise ValueError("a device is saved before its secret is sealed: its id is in the context")
        self.key_sealed = note_seal(notes_key, context=self._context(), text=secret.hex())
        self._opened = (self.key_sealed, secret)

    @property
    def bin_key(self) -> bytes:
        """The secret, opened under the account's notes key (once per loaded row)."""
        if self._opened is not None and self._opened[0] == self.key_sealed:
            return self._opened[1]
        notes_key = DataKey.objects.filter(
            pk=models.Subquery(User.objects.filter(pk=self.user_id).values("notes_key")[:1])
        ).first()
        if notes_key is None or not self.key_sealed:
            raise AuthenticatorSecretUnreadable(f"authenticator {self.pk} has no sealed secret to open")
        try:
            secret = bytes.fromhex(note_unseal(notes_key, context=self._context(), sealed=self.key_sealed))
        except (DecryptionFailed, ValueError) as exc:  # ValueError: not even its encoding reads (damaged)
            raise AuthenticatorSecretUnreadable(f"authenticator {self.pk} does not open") from exc
        self._opened = (self.key_sealed, secret)
        return secret

    def verify_token(self, token: Any) -> bool:
        """django-otp's own check (`TOTPDevice.verify_token`, run on this device: a code at a time step
        after the last one used passes and uses its step, the drift is followed, a wrong code locks the
        device a while), once the secret is known to open: one that does not counts as a wrong code."""
        if self.verify_is_allowed()[0] and not self.secret_opens():
            self.throttle_increment(commit=True)
            return False
        return bool(TOTPDevice.verify_token(self, token))

    def secret_opens(self) -> bool:
        """Whether the sealed secret opens for this account and device (damaged or moved: it does not)."""
        try:
            return bool(self.bin_key)
        except DecryptionFailed:
            return False

    # django-otp's own, reading the secret through `bin_key`: the lock's factor, the otpauth:// URL an
    # authenticator app reads (with `OTP_TOTP_ISSUER`), and the settings reader that URL uses.
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
