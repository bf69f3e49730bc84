"""A refusal that signs the person out is never stored by a browser or a proxy either.

The page still names the person and their LA; `no-store` was decided by asking whether the request was
signed in after the view, when `logout()` had already made it anonymous, so these pages went out with no
Cache-Control at all (found by the session 37 review).
"""

from django.urls import reverse
from django.utils import timezone

from tests.journeys import signed_in, state_purpose
from tests.personas import make_child


def test_the_account_guards_refusal_of_a_suspended_account_is_not_cacheable(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    world.alice.suspended_at = timezone.now()
    world.alice.save(update_fields=["suspended_at"])
    refused = client.get(reverse("children:record", args=[child.pk]))
    assert refused.status_code == 403
    assert "no-store" in refused.headers.get("Cache-Control", "")


def test_the_refusal_ending_a_record_view_the_viewing_rules_suspended_is_not_cacheable(world, settings):
    settings.MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 1  # suspended at the second unexplained view
    client = signed_in(world.alice)
    last = None
    for n in range(4):
        kid = make_child(world, given_names=f"Kid{'abcd'[n]}")
        state_purpose(client, kid)
        last = client.get(reverse("children:record", args=[kid.pk]))
        world.alice.refresh_from_db()
        if world.alice.suspended_at is not None:
            break
    assert world.alice.suspended_at is not None and last.status_code == 403
    page = last.content.decode()
    assert "Alice" in page and "Northshire" in page  # the page names the person and their LA
    assert "no-store" in last.headers.get("Cache-Control", "")


def test_the_sign_in_page_is_not_cacheable_either(client):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200 and "Sign in" in page.content.decode()
    assert "no-store" in page.headers.get("Cache-Control", "")
