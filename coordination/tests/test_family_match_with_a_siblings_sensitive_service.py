"""A family match with a sibling's sensitive service. A sensitive service (sexual health, mental health,
substance misuse) is recorded with the child's consent and hidden from ordinary practitioners, who see on
that child's record only that the LA team can broker contact with another service. A family match told
the practitioner of a *brother or sister* the same thing: "Another practitioner is working with another
child in this family. The LA team can broker contact with another service": a brokered contact is what a
sensitive service looks like, so a teacher who knows the family learnt that the older sister is seen by a
sexual health, mental health or substance misuse service, which her consent never covered. The ordinary
practitioner is now told nothing of such a match (withheld and audited, filed under the sibling); the
sensitive service is still told who works with the sibling, and may make contact."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import CarerDetails
from coordination.models import Match, MatchKind, Notice
from coordination.tests.support import clinic_nurse, inbox_page, record
from coordination.tests.test_family_match import _sibling
from tests.journeys import signed_in

MOTHER = CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")
BROKERED = "The LA team can broker contact with another service"


def _alice_and_a_siblings_clinic(world, child, django_capture_on_commit_callbacks):
    from django.core import mail

    sister = _sibling(world, carer=MOTHER, given_names="Olivia")
    sian = clinic_nurse(world)
    record(child, world.alice, role="Allocated social worker")
    with django_capture_on_commit_callbacks(execute=True):
        record(sister, sian, role="Sexual health nurse")
    return sister, sian, [m.to for m in mail.outbox]


def test_a_siblings_sensitive_service_is_not_told_to_an_ordinary_practitioner(
    world, child, django_capture_on_commit_callbacks
):
    sister, sian, emailed = _alice_and_a_siblings_clinic(world, child, django_capture_on_commit_callbacks)

    [match] = Match.objects.all()
    assert match.kind == MatchKind.FAMILY
    alice_sees = inbox_page(world.alice)
    assert BROKERED not in alice_sees and "Family match" not in alice_sees
    assert not Notice.objects.filter(recipient=world.alice).exists()
    assert [world.alice.email] not in emailed
    withheld = AuditEvent.objects.get(tag=AuditTag.MatchWithheld)
    assert withheld.child_id == sister.pk and withheld.additional["recipient_id"] == world.alice.pk
    # The clinic is told who works with the sibling, and can make contact.
    sian_sees = inbox_page(sian)
    assert "Alice Example" in sian_sees and "Olivia Thornton" in sian_sees


def test_reading_the_inbox_again_neither_tells_it_nor_logs_it_again(
    world, child, django_capture_on_commit_callbacks
):
    _alice_and_a_siblings_clinic(world, child, django_capture_on_commit_callbacks)
    inbox_page(world.alice)
    inbox_page(world.alice)
    assert not Notice.objects.filter(recipient=world.alice).exists()
    assert AuditEvent.objects.filter(tag=AuditTag.MatchWithheld).count() == 1


def test_a_notice_told_before_this_rule_is_no_longer_shown(world, child, django_capture_on_commit_callbacks):
    _sister, _sian, _emailed = _alice_and_a_siblings_clinic(world, child, django_capture_on_commit_callbacks)
    match = Match.objects.get()
    alices, sians = (
        (match.first, match.second)
        if match.first.recorded_by_id == world.alice.pk
        else (
            match.second,
            match.first,
        )
    )
    Notice.objects.create(match=match, recipient=world.alice, involvement=alices, other=sians)

    alice_sees = inbox_page(world.alice)

    assert BROKERED not in alice_sees and "Family match" not in alice_sees
    assert not AuditEvent.objects.filter(tag=AuditTag.InboxChildShown, actor=world.alice).exists()


def test_a_client_match_with_a_sensitive_service_still_says_the_la_team_brokers(world, child):
    """The child's own practitioners still see that the LA team can broker (the domain's rule)."""
    record(child, world.alice, role="Allocated social worker")
    record(child, clinic_nurse(world), role="Sexual health nurse")
    assert BROKERED in signed_in(world.alice).get(reverse("coordination:inbox")).content.decode()
