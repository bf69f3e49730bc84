"""Django's model backend, fetching the person's organisation and second factor in the same query.

Every signed-in request checks the organisation's accreditation (`access.policy.prerequisites`) and
the device that verified the session (`accounts.middleware.VerifiedDeviceMiddleware`), so loading both
with the user saves two database round trips per page without caching anything: a suspension, a
lapsed accreditation or a removed authenticator still bites on the very next request.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def _confirmed_totp_device_id() -> Subquery:
    """The id of the person's confirmed authenticator app, read in the user's own statement."""
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk")
    return Subquery(devices.values("pk")[:1])


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = (
            User._default_manager.select_related("organisation")
            .annotate(confirmed_totp_device_id=_confirmed_totp_device_id())
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
