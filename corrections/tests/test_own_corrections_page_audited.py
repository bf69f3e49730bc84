"""Reading "Your corrections" is audited, as every other corrections and complaints page is.

The page opens each rejected correction's reason, sealed under the child's key (free text the LA team
wrote about the child's record), and lists the index numbers of the children the person asked about;
it wrote nothing to the log, while the LA's queue, the complaints list and every page that opens a
sealed value do (session 21 closed the same gap on the alert queue). Ids only, never the reason.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from corrections.fields import field_for
from corrections.services import correction_raise, correction_reject
from tests.journeys import signed_in
from tests.pages import rendered

pytestmark = pytest.mark.django_db

REASON = "The birth certificate held by the school says Thornton"


def _raised(child, by, value):
    return correction_raise(
        child=child, field=field_for("family_name"), value=value, reason="Seen the certificate", by=by
    )


def test_reading_ones_corrections_is_audited_with_the_reasons_it_opened_and_never_their_text(world, child):
    rejected = _raised(child, world.alice, "Thorneton")
    correction_reject(correction=rejected, by=world.lena, reason=REASON)
    pending = _raised(child, world.alice, "Thornten")
    page = rendered(signed_in(world.alice).get(reverse("corrections:mine")), heading="Your corrections")
    assert REASON in page
    [event] = AuditEvent.objects.filter(tag=AuditTag.CorrectionsOwnViewed)
    assert event.actor_id == world.alice.pk and event.child_id is None
    assert sorted(event.additional["correction_ids"]) == sorted([str(rejected.pk), str(pending.pk)])
    assert event.additional["reasons_opened"] == [str(rejected.pk)]
    assert "certificate" not in str(event.additional)


def test_an_empty_list_is_read_without_an_event(world):
    rendered(signed_in(world.alice).get(reverse("corrections:mine")), heading="Your corrections")
    assert not AuditEvent.objects.filter(tag=AuditTag.CorrectionsOwnViewed).exists()
