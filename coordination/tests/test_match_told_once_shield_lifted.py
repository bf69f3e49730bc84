"""A match withheld because its child was shielded is told to its practitioners once the shield is lifted
(the inbox decides again when it is read), and not before; it is never emailed late."""

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import Match, Notice
from coordination.tests.support import inbox_page, record, school_teacher
from tests.journeys import signed_in


def _withheld_match(world, shielded_child):
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")  # as if recorded before shielding
    record(shielded_child, carol, role="Class teacher")
    assert Match.objects.count() == 1 and not Notice.objects.exists()
    return carol


def test_a_match_withheld_for_shielding_is_told_once_the_shield_is_lifted(world, shielded_child):
    carol = _withheld_match(world, shielded_child)
    shielded_child.shielded = False  # the LA team lifts the shield
    shielded_child.save(update_fields=["shielded"])
    lena_sees = signed_in(world.lena).get(reverse("coordination:brokering")).content.decode()
    assert "Carol Example" not in lena_sees  # no longer the LA team's to broker
    mail.outbox.clear()
    assert "Carol Example" in inbox_page(world.alice), "the match is kept but shown to nobody"
    assert "Allocated social worker" in inbox_page(carol)
    assert Notice.objects.count() == 2
    assert AuditEvent.objects.filter(tag=AuditTag.MatchNotified).count() == 2
    assert not mail.outbox  # they are reading it: no late email


def test_while_the_shield_stays_the_match_is_neither_told_nor_logged_again(world, shielded_child):
    _withheld_match(world, shielded_child)
    withheld = AuditEvent.objects.filter(tag=AuditTag.MatchWithheld).count()
    page = inbox_page(world.alice)
    assert "Carol Example" not in page and not Notice.objects.exists()
    assert AuditEvent.objects.filter(tag=AuditTag.MatchWithheld).count() == withheld
