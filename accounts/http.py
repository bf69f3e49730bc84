"""The signed-in person behind a request, for views that `login_required` already guards."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """Raises (403) rather than asserts, so the guarantee holds even with assertions stripped."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
