"""Django's model backend, fetching the person's organisation and second factor in the same query.

Every signed-in request checks the organisation's accreditation (`access.policy.prerequisites`) and
the device that verified the session (`accounts.middleware.VerifiedDeviceMiddleware`), so loading both
with the user saves two database round trips per page without caching anything: a suspension, a
lapsed accreditation or a removed authenticator still bites on the very next request.
"""

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import SealedTOTPDevice, User


def _confirmed_totp_device_id() -> Subquery:
    """The id of the person's confirmed authenticator app, read in the user's own statement."""
    devices = SealedTOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk")
    return Subquery(devices.values("pk")[:1])


@cache
def _users_with_organisation_and_device() -> QuerySet[User]:
    """The user query's fixed part, built once per process (never evaluated itself: each request filters
    a clone). Building the subquery and annotation again on every request cost about 0.25 ms of CPU a
    request for the same SQL (docs/BENCHMARKS.md, "Per-request CPU, fourth pass")."""
    return (
        User._default_manager.select_related("organisation")
        .annotate(confirmed_totp_device_id=_confirmed_totp_device_id())
        .order_by("pk")
    )


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _users_with_organisation_and_device().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
