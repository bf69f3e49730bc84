"""A "new child" made shielded because, as it was decided, the row resembled a shielded child the review
does not show: the shield is audited with its reason, and the record's LA team is told.

The decider (here the data manager, who may not learn of a shielded child) is told nothing of it; the record's
LA team, who alone may lift the shield and were not the ones deciding, would otherwise hold a shielded record
nobody explained. The reason names the LA of the child it resembled when that is another LA's (whose team
alone can look at that child), and asks that team to be asked before the shield is lifted.
"""

from datetime import date

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.shielding import SHIELD_REASON_CONTEXT
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in
from tests.personas import make_child
from tests.review_pages import SHOWN
from vault.sealing import note_unseal

ROW = {
    "given_names": "Amelia",
    "family_name": "Thornton",
    "date_of_birth": "2015-03-14",
    "postcode": "LS9 9ZZ",
    "nhs_number": None,
}


def _decided_after_a_resembling_shielded_child_appeared(world, child, capture, *, la):
    health_rows_ingest(world, [feed_row(**ROW)])
    review = ClericalReview.objects.get()
    assert review.reason == ReviewReason.POSSIBLE_MATCH and not review.shielded_hold
    twin = make_child(
        world,
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth=date(2015, 3, 14),
        postcode="LS9 9ZZ",
        shielded=True,
        la=la,
    )
    client = signed_in(world.dara)
    url = reverse("linkage:review", args=[review.pk])
    shown = SHOWN.findall(client.get(url).content.decode())
    mail.outbox.clear()
    with capture(execute=True):
        page = client.post(url, {"decision": "new_child", "shown": shown}, follow=True).content.decode()
    created = Child.objects.exclude(pk__in=[child.pk, twin.pk]).get()
    assert created.shielded and created.local_authority_id == world.north.pk
    applied = AuditEvent.objects.get(tag=AuditTag.ShieldApplied, child_id=created.pk)
    assert applied.actor_id == world.dara.pk and applied.additional["review_id"] == str(review.pk)
    reason = note_unseal(
        created.data_key, context=SHIELD_REASON_CONTEXT, sealed=applied.additional["reason_sealed"]
    )
    return page, created, reason


def test_a_resemblance_in_its_own_la_is_audited_and_its_team_told(
    world, child, django_capture_on_commit_callbacks
):
    page, created, reason = _decided_after_a_resembling_shielded_child_appeared(
        world, child, django_capture_on_commit_callbacks, la=world.north
    )
    assert "Decision recorded." in page and "shielded" not in page.split("Decision recorded.")[1][:200]
    assert "resembled a shielded child of this local authority" in reason
    assert "lift the shield once you are sure it is not that child" in reason
    assert [m.to for m in mail.outbox] == [[world.lena.email]]  # the team; not the data manager who decided
    assert reverse("audit:child_access", args=[created.pk]) in mail.outbox[0].body


def test_a_resemblance_in_another_la_names_it_and_says_to_ask_its_team(
    world, child, django_capture_on_commit_callbacks
):
    _, _, reason = _decided_after_a_resembling_shielded_child_appeared(
        world, child, django_capture_on_commit_callbacks, la=world.south
    )
    assert "resembled a shielded child of Southborough Council" in reason
    assert "ask that team before lifting the shield" in reason
