"""Acknowledging an alert returns to the page of the queue it was acknowledged on, not the first: the form
carries the page's number (a hidden field), and the answer goes back to it. A number that is not a positive
whole number returns to the first page; one past the end (the queue shrank meanwhile) to the last, as the
pager clamps it.

Review (oversight, helper 10): every acknowledgement went back to page 1, so a team working through page 3
of a long queue was sent to the start after each alert.
"""

import re

from django.urls import reverse

from oversight.models import Alert, AlertKind
from oversight.services import ALERTS_PER_PAGE
from tests.journeys import signed_in


def _many(world, n):
    return Alert.objects.bulk_create(
        [
            Alert(local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.alice)
            for _ in range(n)
        ]
    )


def _first_form(page: str) -> tuple[str, str]:
    """The first acknowledge form's action and the page number it carries."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form is not None
    number = re.search(r'<input type="hidden" name="page" value="([^"]*)">', form.group(2))
    assert number is not None, "the acknowledge form carries the page's number"
    return form.group(1), number.group(1)


def test_acknowledging_an_alert_on_the_third_page_shows_the_third_page_again(world):
    _many(world, ALERTS_PER_PAGE * 2 + 50)
    client = signed_in(world.lena)
    page = client.get(reverse("oversight:alerts") + "?page=3").content.decode()
    assert "Page 3 of 3" in page
    action, number = _first_form(page)
    assert number == "3"
    response = client.post(action, {"page": number}, follow=True)
    shown = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("oversight:alerts") + "?page=3"
    assert "Alert acknowledged" in shown
    assert "Page 3 of 3" in shown
    assert Alert.objects.filter(acknowledged_by=world.lena).count() == 1


def test_the_first_page_form_returns_to_the_first_page(world):
    _many(world, 3)
    client = signed_in(world.lena)
    action, number = _first_form(client.get(reverse("oversight:alerts")).content.decode())
    assert number == "1"
    response = client.post(action, {"page": number})
    assert response.url == reverse("oversight:alerts") + "?page=1"


def test_a_page_number_that_is_not_one_returns_to_the_first_page(world):
    alerts = _many(world, 3)
    client = signed_in(world.lena)
    for sent in ("0", "-2", "two", "3.5", "", "1" * 40):
        response = client.post(reverse("oversight:alert_acknowledge", args=[alerts[0].pk]), {"page": sent})
        assert response.url == reverse("oversight:alerts"), sent
    response = client.post(reverse("oversight:alert_acknowledge", args=[alerts[1].pk]))
    assert response.url == reverse("oversight:alerts")


def test_a_page_past_the_end_after_the_queue_shrank_shows_the_last_page(world):
    alerts = _many(world, ALERTS_PER_PAGE + 1)
    client = signed_in(world.lena)
    response = client.post(
        reverse("oversight:alert_acknowledge", args=[alerts[0].pk]), {"page": "7"}, follow=True
    )
    shown = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("oversight:alerts") + "?page=7"
    assert "Alert acknowledged" in shown
    assert "Page 2 of 2" in shown
