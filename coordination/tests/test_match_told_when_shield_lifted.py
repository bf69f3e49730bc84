"""When the LA team lifts a shield, the practitioners of the matches it withheld are told at once, by
notice and email (domain: early contact between services is the point), not only at their next inbox
read; a match whose other child is still shielded stays withheld."""

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import record, school_teacher
from tests.journeys import signed_in
from tests.personas import make_child


def _lift(world, child, django_capture_on_commit_callbacks) -> str:
    lena = signed_in(world.lena)
    with django_capture_on_commit_callbacks(execute=True):
        response = lena.post(
            reverse("moves:shielding", args=[child.pk]),
            {"reason": "Risk assessed as ended", "confirm": "on", "change": "lift"},
            follow=True,
        )
    return response.content.decode()


def test_lifting_the_shield_tells_both_practitioners_of_the_withheld_match_by_email_at_once(
    world, shielded_child, django_capture_on_commit_callbacks
):
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(shielded_child, carol, role="Class teacher")
    assert Match.objects.count() == 1 and not Notice.objects.exists()
    mail.outbox.clear()
    page = signed_in(world.lena).get(reverse("moves:shielding", args=[shielded_child.pk])).content.decode()
    assert "who were not told of each other while the record was shielded will be told now" in page

    assert "The shielding has been lifted" in _lift(world, shielded_child, django_capture_on_commit_callbacks)

    told = Notice.objects.filter(match__in=Match.objects.all())
    assert sorted(told.values_list("recipient__username", flat=True)) == ["alice", "carol"]
    notified = AuditEvent.objects.filter(tag=AuditTag.MatchNotified, child_id=shielded_child.pk)
    assert sorted(e.additional["recipient_id"] for e in notified) == sorted([world.alice.pk, carol.pk])
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]
    for message in mail.outbox:
        assert "Okafor" not in message.body and "Jasmine" not in message.body


def test_a_family_match_whose_sibling_is_still_shielded_stays_withheld_when_one_shield_is_lifted(
    world, shielded_child, django_capture_on_commit_callbacks
):
    sibling = make_child(world, given_names="Kemi", family_name="Okafor", postcode="LS6 2QT", shielded=True)
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(sibling, carol, role="Class teacher")  # the two share their mother (make_child's carer)
    [match] = Match.objects.all()
    assert match.kind == MatchKind.FAMILY and not Notice.objects.exists()
    mail.outbox.clear()

    _lift(world, sibling, django_capture_on_commit_callbacks)

    assert not Notice.objects.exists() and not mail.outbox

    _lift(world, shielded_child, django_capture_on_commit_callbacks)

    assert sorted(Notice.objects.values_list("recipient__username", flat=True)) == ["alice", "carol"]
    assert len(mail.outbox) == 2


def test_applying_a_shield_tells_nobody(world, child, django_capture_on_commit_callbacks):
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, carol, role="Class teacher")
    told = Notice.objects.count()
    mail.outbox.clear()
    lena = signed_in(world.lena)
    with django_capture_on_commit_callbacks(execute=True):
        lena.post(
            reverse("moves:shielding", args=[child.pk]),
            {"reason": "Risk from a former partner", "confirm": "on", "change": "apply"},
            follow=True,
        )
    assert Notice.objects.count() == told and not mail.outbox
