"""A request under another host name carrying a signed-in person's session cookie (review, session 26).

The 400 page extends base.html and is rendered with the request, so it could show the navigation and
"Signed in as" for whoever the cookie names. The host is refused (`CommonMiddleware`) before the session
and the signed-in person are read (`AuthenticationMiddleware` comes after it), so the page is the
signed-out one: no name, no organisation, no navigation, and the host itself never repeated.
"""

from django.conf import settings

from tests.journeys import signed_in


def test_a_signed_in_cookie_under_another_host_gets_the_signed_out_400(world):
    client = signed_in(world.alice)
    assert settings.SESSION_COOKIE_NAME in client.cookies
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The service could not understand your request" in page
    assert "Signed in as" not in page
    assert world.alice.username not in page and world.alice.organisation.name not in page
    assert "Find a child" not in page  # no navigation of a signed-in practitioner
    assert "attacker.example" not in page
