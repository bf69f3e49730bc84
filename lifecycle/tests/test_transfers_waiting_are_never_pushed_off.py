"""A request waiting for this LA's decision is always on its transfers page, however many newer ones
were decided since: the page lists the newest 100 transfers, and a pending request pushed past them was
shown to nobody, so the child never moved and its LA could not ask again (one waiting request a child).
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from lifecycle.models import Transfer, TransferStatus
from lifecycle.moves import transfer_request
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def _decided_since(world, child, count: int) -> None:
    """`count` requests about `child`, each newer than anything before and already declined."""
    first = transfer_request(child=child, to_la=world.south, by=world.lena, reason="Family moved")
    Transfer.objects.filter(pk=first.pk).update(status=TransferStatus.DECLINED)
    now = timezone.now()
    Transfer.objects.bulk_create(
        Transfer(
            child=child,
            from_la=world.north,
            to_la=world.south,
            raised_by=world.lena,
            reason_sealed=first.reason_sealed,
            status=TransferStatus.DECLINED,
            decided_by=world.lena,
            decided_at=now,
        )
        for _ in range(count - 1)
    )
    Transfer.objects.filter(status=TransferStatus.DECLINED).update(raised_at=now + timedelta(minutes=1))


def test_a_request_waiting_for_a_decision_is_listed_however_many_newer_ones_were_decided(world):
    waiting = make_child(world, given_names="Poppy", family_name="Marchbank")
    pending = transfer_request(child=waiting, to_la=world.south, by=world.lena, reason="Moved south")
    Transfer.objects.filter(pk=pending.pk).update(raised_at=timezone.now() - timedelta(days=2))
    _decided_since(world, make_child(world), 100)
    stella = make_user("stella", world.south, Role.LA_TEAM)
    page = signed_in(stella).get(reverse("moves:transfers")).content.decode()
    assert 'id="to-decide"' in page, "the waiting request is not offered for a decision"
    to_decide = page[page.index('id="to-decide"') :].split("</ul>")[0]
    assert "Poppy Marchbank" in to_decide and reverse("moves:transfer", args=[pending.pk]) in to_decide
    listed = AuditEvent.objects.filter(tag=AuditTag.TransfersListed, actor=stella)
    assert waiting.pk in {event.child_id for event in listed}  # the child named is audited as named


def test_a_request_this_la_sent_and_still_waiting_is_listed_so_it_can_be_withdrawn(world):
    """The page is the only way to a waiting request (asking again only says one waits): pushed off it,
    a request sent in error could never be withdrawn."""
    waiting = make_child(world, given_names="Poppy", family_name="Marchbank")
    pending = transfer_request(child=waiting, to_la=world.south, by=world.lena, reason="Sent in error")
    Transfer.objects.filter(pk=pending.pk).update(raised_at=timezone.now() - timedelta(days=2))
    _decided_since(world, make_child(world), 101)
    client = signed_in(world.lena)
    page = client.get(reverse("moves:transfers")).content.decode()
    # Trying to ask again only says one is waiting, with no way to it:
    again = client.post(
        reverse("moves:transfer_new", args=[waiting.pk]), {"to_la": str(world.south.pk), "reason": "x"}
    ).content.decode()
    assert "already waiting" in again  # the request is refused because one waits
    assert reverse("moves:transfer", args=[pending.pk]) in page + again, (
        "the sending team's own waiting request is on no page it can reach: it can never be withdrawn"
    )
