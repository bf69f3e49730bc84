"""Django's model backend, fetching the person's organisation in the same query.

Every signed-in request checks the organisation's accreditation (`access.policy.prerequisites`), so
loading it with the user saves a database round trip per page without caching either: a suspension or
a lapsed accreditation still bites on the very next request.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
