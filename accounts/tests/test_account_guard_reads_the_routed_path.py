"""The account guard judges the path the URL resolver routes on (`request.path_info`), not `request.path`.

Review (session 39, helper 3): the guard compared `request.path` (SCRIPT_NAME + PATH_INFO) with its open,
second-factor and training prefixes, while Django routes on PATH_INFO alone. A request carrying a
SCRIPT_NAME of "/training" or "/static" (a header a proxy in front may pass on) was let past the course, or
past every guard (session expiry, second factor), to a page routed by its PATH_INFO. The views' own policy
checks still refused there, but the guard is the one place a lapse, an expired session or a missing second
factor is meant to bite first on every page.
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.middleware import AUTH_STARTED_KEY
from accounts.models import Role
from tests.journeys import signed_in
from tests.personas import make_user

INSIGHT = "/management-information/local-authority/"


@pytest.mark.parametrize("script_name", ["", "/training", "/static"])
def test_lapsed_training_sends_to_the_course_whatever_script_name_the_request_carries(world, script_name):
    lapsed = timezone.localdate() - timedelta(days=400)
    team = make_user("tia", world.north, Role.LA_TEAM, training_completed_on=lapsed)
    response = signed_in(team).get(INSIGHT, SCRIPT_NAME=script_name)
    assert response.status_code == 302
    assert response["Location"].endswith("/training/")


@pytest.mark.parametrize("script_name", ["", "/static", "/account/sign-in"])
def test_an_expired_session_is_ended_whatever_script_name_the_request_carries(world, script_name):
    client = signed_in(world.lena)
    session = client.session
    session[AUTH_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 60
    session.save()
    response = client.get(INSIGHT, SCRIPT_NAME=script_name)
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]
    assert "_auth_user_id" not in client.session
