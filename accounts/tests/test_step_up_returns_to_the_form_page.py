"""After a step-up asked for by a form (a POST), the person goes back to the page the form was on.

Browsers send the page a form was on as a full URL in `Referer` ("https://host/team/users/7/"), and
`step_up` passed it on as `next`, which accepts paths only: everyone was sent to the home page
instead, and had to find the account (or the record) again to repeat what they were doing.
"""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tests.journeys import current_code, signed_in, totp_device
from tests.personas import PASSWORD


def _detour_next(response) -> str:
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:reauthenticate")
    return parse_qs(location.query).get("next", [""])[0]


def test_a_step_up_asked_for_by_a_form_returns_to_the_page_the_form_was_on(world):
    client = signed_in(world.lena, reauthenticated=False)
    account_page = reverse("team:user", args=[world.alice.pk])
    response = client.post(
        reverse("team:suspend", args=[world.alice.pk]),
        {"reason": "Looked up a relative"},
        HTTP_REFERER=f"http://testserver{account_page}?tab=access",
    )
    assert _detour_next(response) == f"{account_page}?tab=access"

    confirmed = client.post(
        response["Location"],
        {
            "password": PASSWORD,
            "code": current_code(totp_device(world.lena), 1),
            "next": _detour_next(response),
        },
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{account_page}?tab=access"
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None  # the form is not replayed: the person sends it again


def test_a_referer_on_another_site_is_never_where_a_step_up_returns(world):
    client = signed_in(world.lena, reauthenticated=False)
    for referer in ("https://evil.example/team/users/1/", "//evil.example/x", "not a url at all", "http://["):
        response = client.post(
            reverse("team:suspend", args=[world.alice.pk]), {"reason": "x"}, HTTP_REFERER=referer
        )
        assert _detour_next(response) == "/", referer
