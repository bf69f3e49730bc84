"""The inbox names the child and shows, decrypted, who else works with it and how to reach them: each
read is audited, and each child named has the look in its own access log (as the brokering page does)."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import Match
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in
from tests.pages import without_tokens
from tests.personas import make_child


def test_reading_the_inbox_is_audited_with_each_child_it_names(world, child):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    page = without_tokens(signed_in(world.alice).get(reverse("coordination:inbox")).content.decode())
    assert "Carol Example" in page and "Amelia" in page
    new = AuditEvent.objects.exclude(pk__in=before)
    read = new.get(tag=AuditTag.InboxViewed)
    assert read.actor == world.alice and read.child_id is None
    shown = new.filter(tag=AuditTag.InboxChildShown)
    assert [(e.actor, e.child_id) for e in shown] == [(world.alice, child.pk)]
    assert shown.get().additional["match_ids"] == [Match.objects.get().pk]


def test_each_child_named_once_however_many_matches_name_it(world, child):
    carol = school_teacher(world)
    sibling = make_child(world, given_names="Noah", postcode="LS6 1AA")  # same carer: a family match
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")  # a client match with Alice's, a family match with none
    record(sibling, world.bob, role="GP")  # family matches with Alice's and Carol's
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    page = without_tokens(signed_in(world.alice).get(reverse("coordination:inbox")).content.decode())
    assert "Amelia" in page and "Noah" not in page  # Alice's own child is named, the sibling is not
    shown = AuditEvent.objects.exclude(pk__in=before).filter(tag=AuditTag.InboxChildShown)
    assert [e.child_id for e in shown] == [child.pk]
    assert len(shown.get().additional["match_ids"]) == 2


def test_a_match_the_rules_withhold_names_no_child_in_the_log(world, shielded_child):
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(shielded_child, carol, role="Class teacher")
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    page = without_tokens(signed_in(world.alice).get(reverse("coordination:inbox")).content.decode())
    assert "Carol Example" not in page
    new = AuditEvent.objects.exclude(pk__in=before)
    assert new.filter(tag=AuditTag.InboxViewed).count() == 1
    assert not new.filter(tag=AuditTag.InboxChildShown).exists()
