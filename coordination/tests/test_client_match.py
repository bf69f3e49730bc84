"""Client match: a second practitioner from another organisation records involvement; both are told."""

from datetime import date

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.services import involvement_cease
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import inbox_page, record, record_by_page, school_teacher
from tests.journeys import signed_in
from tests.personas import make_user


def test_both_practitioners_are_told_when_a_second_records_involvement(
    world, child, django_capture_on_commit_callbacks
):
    carol = school_teacher(world)
    record_by_page(signed_in(world.alice), child, role="Allocated social worker")
    with django_capture_on_commit_callbacks(execute=True):
        record_by_page(signed_in(carol), child, role="Class teacher")
    [match] = Match.objects.all()
    assert match.kind == MatchKind.CLIENT
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, carol}
    alice_sees = inbox_page(world.alice)
    assert "Carol Example" in alice_sees and "Class teacher" in alice_sees
    assert "Northshire Primary School" in alice_sees and "0113 496 0000" in alice_sees
    carol_sees = inbox_page(carol)
    assert "Alice Example" in carol_sees and "Allocated social worker" in carol_sees
    assert "Amelia Thornton" in carol_sees and "Client match" in carol_sees
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]


def test_the_match_works_whichever_practitioner_records_first(world, child):
    carol = school_teacher(world)
    record(child, carol)
    record(child, world.alice)
    assert Match.objects.count() == 1
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, carol}
    assert "Carol Example" in inbox_page(world.alice)
    assert "Alice Example" in inbox_page(carol)


def test_each_notice_is_audited(world, child):
    carol = school_teacher(world)
    record(child, world.alice)
    record(child, carol)
    events = AuditEvent.objects.filter(tag=AuditTag.MatchNotified, child_id=child.pk)
    assert {e.additional["recipient_id"] for e in events} == {world.alice.pk, carol.pk}
    assert all(e.actor is None and e.additional["recorded_by_id"] == carol.pk for e in events)


def test_the_email_carries_no_personal_data(world, child, django_capture_on_commit_callbacks):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    with django_capture_on_commit_callbacks(execute=True):
        record(child, carol)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        text = message.subject + message.body
        assert "new match" in text and reverse("coordination:inbox") in text
        for personal in ("Amelia", "Thornton", "Carol", "Alice", "social worker", "Primary", "0300", "@"):
            assert personal not in text


def test_no_match_with_a_ceased_involvement(world, child):
    carol = school_teacher(world)
    ended = record(child, world.alice)
    involvement_cease(involvement=ended, by=world.alice, ended_on=date(2024, 12, 1))
    record(child, carol)
    assert not Match.objects.exists()
    assert not Notice.objects.exists()


def test_a_match_ends_when_either_involvement_ceases(world, child):
    carol = school_teacher(world)
    record(child, world.alice)
    carols = record(child, carol)
    involvement_cease(involvement=carols, by=carol, ended_on=date(2024, 12, 1))
    page = inbox_page(world.alice)
    current = page[page.index('id="current-heading"') : page.index("Ended matches")]
    assert "Carol Example" not in current and "You have no current matches" in current
    assert 'id="ended-matches"' in page
    assert "0113 496 0101" not in page  # contact details go with the ended match


def test_colleagues_in_the_same_organisation_are_not_matched(world, child):
    colleague = make_user("colin", world.north_social_care)
    record(child, world.alice)
    record(child, colleague)
    assert not Match.objects.exists()


def test_one_match_per_pair_even_when_a_practitioner_records_twice(world, child):
    carol = school_teacher(world)
    record(child, world.alice)
    record(child, carol)
    record(child, carol, role="Special needs coordinator")
    assert Match.objects.count() == 2  # two involvements of carol's: two pairs, each matched once
    assert Notice.objects.filter(recipient=world.alice).count() == 2


def test_loaded_involvements_with_no_practitioner_account_notify_nobody(world, child):
    from children.models import Involvement

    Involvement.objects.create(child=child, recorded_by=None)
    record(child, world.alice)
    assert not Match.objects.exists()
