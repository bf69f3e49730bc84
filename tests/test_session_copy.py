"""A copy of a signed-in session (`tests.journeys.session_copy`) must be a sign-in made when it is copied,
not when the original was: the hostile-values walk copies one session for every request over minutes, and
a copy as old as the original would, once the purpose (10 minutes) or step-up (15 minutes) had run out,
answer every record page with the purpose form and every step-up page with a redirect: their bodies never
run, and a server error in them is never seen."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.journeys import session_copy, session_of, signed_in, state_purpose


def test_a_copy_made_after_the_purpose_and_step_up_ran_out_still_holds_both(world, child):
    alice = signed_in(world.alice)
    state_purpose(alice, child)
    held_by_alice = session_of(alice)
    held_by_lena = session_of(signed_in(world.lena))

    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=True):
        record = session_copy(world.alice, held_by_alice).get(reverse("children:record", args=[child.pk]))
        step_up_page = session_copy(world.lena, held_by_lena).get(
            reverse("team:background_check", args=[world.alice.pk])
        )

    assert record.status_code == 200 and "Thornton" in record.content.decode()
    assert step_up_page.status_code == 200, step_up_page.get("Location")


def test_a_copy_is_signed_in_as_the_original(world, child):
    held = session_of(signed_in(world.alice))
    copy = session_copy(world.alice, held)
    assert copy.get(reverse("children:purpose", args=[child.pk])).status_code == 200
