"""Rules that win over a match: shielding, sensitive services, and the access policy."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import SensitiveCategory
from coordination.models import Match, Notice
from coordination.tests.support import clinic_nurse, inbox_page, record, school_teacher


def test_a_shielded_child_produces_no_practitioner_facing_match(
    world, shielded_child, django_capture_on_commit_callbacks
):
    carol = school_teacher(world)
    # Loaded before shielding, or recorded by someone the LA team let in: both sides are practitioners.
    shielded_child.shielded = False
    shielded_child.save(update_fields=["shielded"])
    record(shielded_child, world.alice)
    shielded_child.shielded = True
    shielded_child.save(update_fields=["shielded"])
    with django_capture_on_commit_callbacks(execute=True):
        record(shielded_child, carol)
    assert Match.objects.count() == 1  # the fact is kept for the LA team, who broker contact
    assert not Notice.objects.exists()
    assert [m.to for m in mail.outbox] == [["lena@example.org"]]  # only the LA team, asked to broker
    assert "Jasmine" not in inbox_page(world.alice) and "Jasmine" not in inbox_page(carol)
    withheld = AuditEvent.objects.filter(tag=AuditTag.MatchWithheld, child_id=shielded_child.pk)
    assert {e.additional["reason"] for e in withheld} == {"shielded"}
    assert {e.additional["recipient_id"] for e in withheld} == {world.alice.pk, carol.pk}


def test_a_family_match_through_a_shielded_sibling_tells_nobody(world, child, shielded_child):
    # make_child gives both children the same mother (Grace Thornton, same phone).
    shielded_child.shielded = False
    shielded_child.save(update_fields=["shielded"])
    record(shielded_child, world.alice)
    shielded_child.shielded = True
    shielded_child.save(update_fields=["shielded"])
    record(child, world.bob)
    assert Match.objects.count() == 1
    assert not Notice.objects.exists()
    withheld = AuditEvent.objects.filter(tag=AuditTag.MatchWithheld)
    assert {e.child_id for e in withheld} == {shielded_child.pk}  # never filed under the unshielded sibling
    assert all(e.organisation_id is None for e in withheld)


def test_a_child_shielded_after_the_match_disappears_from_the_inbox(world, child):
    carol = school_teacher(world)
    record(child, world.alice)
    record(child, carol)
    assert "Carol Example" in inbox_page(world.alice)
    child.shielded = True
    child.save(update_fields=["shielded"])
    page = inbox_page(world.alice)
    assert "Carol Example" not in page and "Amelia" not in page


def test_a_sensitive_service_is_never_named(world, child):
    sian = clinic_nurse(world)
    record(child, world.alice, role="Allocated social worker")
    record(child, sian, role="Sexual health nurse", sensitive_category=SensitiveCategory.SEXUAL_HEALTH)
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, sian}
    alice_sees = inbox_page(world.alice)
    assert "The LA team can broker contact with another service" in alice_sees
    assert "Northshire Council" in alice_sees
    for named in ("Sian", "Sexual health", "Riverside", "sian@example.org", "Offer to be lead professional"):
        assert named not in alice_sees
    sian_sees = inbox_page(sian)  # the clinic may be told who else works with the child
    assert "Alice Example" in sian_sees and "Allocated social worker" in sian_sees


def test_a_sensitive_service_recording_through_the_page_is_never_named_to_other_practitioners(world, child):
    """The page sets no category: the involvement is a sensitive service's because its organisation is
    one. Before, only the synthetic loader set it, so a clinic recording through the page was named."""
    from django.urls import reverse

    from coordination.tests.support import record_by_page
    from tests.journeys import signed_in, state_purpose

    sian = clinic_nurse(world)  # staff of Riverside Sexual Health Clinic, a sensitive service
    record(child, world.alice, role="Allocated social worker")
    record_by_page(signed_in(sian), child, role="Sexual health nurse")
    alice_sees = inbox_page(world.alice)
    assert "The LA team can broker contact with another service" in alice_sees
    for named in ("Sian", "Sexual health nurse", "Riverside"):
        assert named not in alice_sees
    bob = signed_in(world.bob)  # a GP in another LA, looking the child up
    state_purpose(bob, child)
    record_page = bob.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Alice Example" in record_page
    assert "Riverside" not in record_page and "Sexual health nurse" not in record_page


def test_a_practitioner_the_policy_refuses_gets_nothing(world, child, django_capture_on_commit_callbacks):
    carol = school_teacher(world)
    record(child, carol)
    carol.training_completed_on = timezone.localdate() - timedelta(days=400)
    carol.save(update_fields=["training_completed_on"])
    with django_capture_on_commit_callbacks(execute=True):
        record(child, world.alice)
    assert [n.recipient for n in Notice.objects.all()] == [world.alice]
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    [withheld] = AuditEvent.objects.filter(tag=AuditTag.MatchWithheld)
    assert withheld.additional == {
        **withheld.additional,
        "recipient_id": carol.pk,
        "reason": "training_lapsed",
    }


def test_a_suspended_practitioner_gets_nothing(world, child):
    carol = school_teacher(world)
    record(child, carol)
    carol.suspended_at = timezone.now()
    carol.save(update_fields=["suspended_at"])
    record(child, world.alice)
    assert not Notice.objects.filter(recipient=carol).exists()


def test_the_la_team_of_a_shielded_child_is_asked_to_broker_and_sees_both_sides(
    world, shielded_child, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.journeys import signed_in
    from tests.personas import make_user

    make_user("stella", world.south, "la_team")
    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")  # as if recorded before shielding
    with django_capture_on_commit_callbacks(execute=True):
        record(shielded_child, carol, role="Class teacher")
    assert [m.to for m in mail.outbox] == [["lena@example.org"]]  # North's team only; nobody else
    assert "Jasmine" not in mail.outbox[0].body and "shielded child" in mail.outbox[0].subject
    page = signed_in(world.lena).get(reverse("coordination:brokering")).content.decode()
    for shown in ("Jasmine Okafor", "Alice Example", "Carol Example", "Class teacher", "Shielded"):
        assert shown in page
    assert AuditEvent.objects.filter(tag=AuditTag.BrokeringViewed, actor=world.lena).count() == 1
    stellas = signed_in(User.objects.get(username="stella")).get(reverse("coordination:brokering"))
    assert "Jasmine" not in stellas.content.decode()


def test_brokering_shows_another_las_child_only_as_that_las_team_may_show_it(world, shielded_child):
    """A family match can cross LAs. North's team brokers for its shielded child, but South's child's
    sensitive service is South's LA team's alone (`access.policy.visibility`): it is named as South's
    to broker, never shown."""
    from django.urls import reverse

    from children.records import SensitiveCategory
    from coordination.models import Match
    from tests.journeys import signed_in
    from tests.pages import rendered
    from tests.personas import make_child

    sibling = make_child(
        world, given_names="Noah", family_name="Thornton", postcode="SO14 2DF", la=world.south
    )
    record(shielded_child, world.alice, role="Allocated social worker")  # as if recorded before shielding
    record(
        sibling,
        world.bob,
        role="Sexual health outreach nurse",
        sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
    )
    assert Match.objects.count() == 1  # the same mother: a family match across two LAs
    page = rendered(
        signed_in(world.lena).get(reverse("coordination:brokering")),
        heading="Matches about shielded children",
    )
    assert "Jasmine Okafor" in page and "Allocated social worker" in page  # North's own side
    assert "Noah Thornton" in page
    for hidden in ("Sexual health outreach nurse", "South Street Surgery", "Bob Example"):
        assert hidden not in page
    assert "Southborough Council's LA team brokers contact with this service" in page


NEW_IDENTITY = {
    "category": "protection",
    "given_names": "Poppy",
    "family_name": "Marchbank",
    "gender": "female",
    "dob_day": "4",
    "dob_month": "3",
    "dob_year": "2015",
    "line_1": "8 Elmhurst Gardens",
    "town": "York",
    "postcode": "YO1 7HH",
    "shielded": "on",
    "confirm": "on",
}


def test_brokering_never_shows_a_closed_identity_beside_its_new_one(world, shielded_child):
    """Birth and new identities are never linked in view: a match about the closed record goes."""
    from django.urls import reverse

    from children.models import Child
    from tests.journeys import signed_in

    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(shielded_child, carol, role="Class teacher")
    lena = signed_in(world.lena)
    assert lena.post(reverse("moves:new_identity", args=[shielded_child.pk]), NEW_IDENTITY).status_code == 302
    new = Child.objects.exclude(pk=shielded_child.pk).get()
    record(new, world.alice, role="Allocated social worker")
    record(new, carol, role="Class teacher")
    page = lena.get(reverse("coordination:brokering")).content.decode()
    assert "Poppy Marchbank" in page
    assert "Jasmine Okafor" not in page and shielded_child.index_number not in page


def test_brokering_never_shows_an_archived_record(world, shielded_child):
    from django.urls import reverse
    from django.utils import timezone

    from lifecycle.services import child_archive
    from tests.journeys import signed_in

    carol = school_teacher(world)
    record(shielded_child, world.alice, role="Allocated social worker")
    record(shielded_child, carol, role="Class teacher")
    assert child_archive(child_id=shielded_child.pk, rule="age", today=timezone.localdate())
    page = signed_in(world.lena).get(reverse("coordination:brokering")).content.decode()
    assert "Matches about shielded children" in page and "Jasmine Okafor" not in page


def test_each_child_the_brokering_page_names_has_the_look_in_its_own_log(world, shielded_child):
    """Another LA's child named to this team appears in that child's access reports."""
    from django.urls import reverse

    from tests.journeys import signed_in
    from tests.personas import make_child

    sibling = make_child(
        world, given_names="Noah", family_name="Thornton", postcode="SO14 2DF", la=world.south
    )
    record(shielded_child, world.alice, role="Allocated social worker")
    record(sibling, world.bob, role="GP")
    page = signed_in(world.lena).get(reverse("coordination:brokering")).content.decode()
    assert "Noah Thornton" in page
    shown = AuditEvent.objects.filter(tag=AuditTag.BrokeringChildShown, actor=world.lena)
    assert set(shown.values_list("child_id", flat=True)) == {shielded_child.pk, sibling.pk}
