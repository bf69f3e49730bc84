"""A merge (or its undoing) moves involvements and carers between records, and so makes matches: two
practitioners of different organisations, each working with one of two records then merged as the same
child, both work with one child (a client match); the survivor's practitioner and a sibling's share the
duplicate's mother (a family match). The match check ran only when an involvement was created, so nobody
was told of the other, and a shielded child's team was never asked to broker. Once the merge (or the
unmerge) commits, the recording's match check now runs for the records it changed (told, audited and
emailed as a recording's are); an unmerge makes again the matches true of the two records apart.
"""

from datetime import date

from django.core import mail
from django.db import DatabaseError

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import Address, CarerDetails, ChildDetails, Gender
from children.services import child_create
from coordination.models import Match, MatchKind, Notice
from coordination.selectors import matches_to_broker
from coordination.tests.support import record, school_teacher
from lifecycle.shielding import shield_set
from linkage.merging import child_merge, child_unmerge

FATHER = CarerDetails(name="Paul Price", relationship="father", phone="07700 900777")
MOTHER = CarerDetails(name="Grace Thornton", relationship="mother", phone="07700 900123")


def _child(world, given_names: str, carer: CarerDetails, *, born: date = date(2012, 6, 1)) -> Child:
    details = ChildDetails(
        given_names=given_names,
        family_name="Thornton",
        gender=Gender.MALE,
        date_of_birth=born,
        address=Address(lines=["12 Quarry Lane", "Leeds"], postcode="LS1 4AB"),
    )
    return child_create(local_authority=world.north, details=details, carers=[carer])


def _between(a, b) -> Match:
    return Match.objects.get(first__in=[a, b], second__in=[a, b])


def test_a_merge_that_brings_two_practitioners_onto_one_child_tells_each_of_the_other(
    world, django_capture_on_commit_callbacks
):
    carol = school_teacher(world)
    survivor = _child(world, "Oliver", FATHER)
    duplicate = _child(world, "Olly", MOTHER)
    alices = record(survivor, world.alice)
    carols = record(duplicate, carol)
    assert not Match.objects.exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)

    match = _between(alices, carols)
    assert match.kind == MatchKind.CLIENT
    assert {(n.recipient, n.involvement_id) for n in Notice.objects.all()} == {
        (world.alice, alices.pk),
        (carol, carols.pk),
    }
    notified = AuditEvent.objects.filter(tag=AuditTag.MatchNotified, additional__match_id=match.pk)
    assert sorted(e.additional["recipient_id"] for e in notified) == sorted([world.alice.pk, carol.pk])
    assert {e.child_id for e in notified} == {survivor.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.alice.email, carol.email])


def test_a_shielded_duplicate_merged_asks_the_la_team_to_broker_its_two_practitioners(
    world, django_capture_on_commit_callbacks
):
    carol = school_teacher(world)
    survivor = _child(world, "Oliver", FATHER)
    duplicate = _child(world, "Olly", MOTHER)
    record(survivor, world.alice)
    record(duplicate, carol)
    assert shield_set(child=duplicate, by=world.lena, shielded=True, reason="Risk of harm")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        child_merge(survivor=survivor, duplicate=Child.objects.get(pk=duplicate.pk), by=world.lena)

    assert Child.objects.get(pk=survivor.pk).shielded
    assert Match.objects.count() == 1 and not Notice.objects.exists()
    assert [entry.match.pk for entry in matches_to_broker(local_authority_id=world.north.pk)] == [
        Match.objects.get().pk
    ]
    assert [m.to for m in mail.outbox] == [[world.lena.email]]


def test_a_merge_that_gives_the_survivor_a_siblings_mother_makes_their_family_match(
    world, django_capture_on_commit_callbacks
):
    sister = _child(world, "Amelia", MOTHER, born=date(2015, 3, 4))
    survivor = _child(world, "Oliver", FATHER)
    duplicate = _child(world, "Olly", MOTHER)  # the same boy, with his mother on this record only
    bobs = record(sister, world.bob, role="GP")
    alices = record(survivor, world.alice, role="Allocated social worker")
    assert not Match.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)

    assert _between(alices, bobs).kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.all()} == {world.alice, world.bob}


def test_a_merge_that_makes_nothing_new_tells_nobody_again(world, django_capture_on_commit_callbacks):
    carol = school_teacher(world)
    survivor = _child(world, "Oliver", MOTHER)
    duplicate = _child(world, "Olly", MOTHER)
    record(survivor, world.alice)
    record(duplicate, carol)
    assert Match.objects.count() == 1 and Notice.objects.count() == 2  # a family match, told
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)

    assert Match.objects.count() == 1 and Notice.objects.count() == 2
    assert not mail.outbox


def test_an_unmerge_gives_back_the_family_match_of_two_records_apart(
    world, django_capture_on_commit_callbacks
):
    """Alice recorded on the merged record: one child's, a client match with Carol's involvement carried in.
    Undone, the two records are two children of one mother: the client match is withdrawn, and the family
    match the records bear out apart is made (and told) in its place."""
    carol = school_teacher(world)
    survivor = _child(world, "Oliver", MOTHER)
    duplicate = _child(world, "Olly", MOTHER)
    carols = record(duplicate, carol)
    with django_capture_on_commit_callbacks(execute=True):
        merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    alices = record(Child.objects.get(pk=survivor.pk), world.alice)
    assert _between(alices, carols).kind == MatchKind.CLIENT

    with django_capture_on_commit_callbacks(execute=True):
        restored = child_unmerge(merge=merge, by=world.lena)

    carols.refresh_from_db()
    assert carols.child_id == restored.pk
    match = _between(alices, carols)
    assert match.kind == MatchKind.FAMILY
    assert {n.recipient for n in Notice.objects.filter(match=match)} == {world.alice, carol}


def test_an_unmerge_makes_no_match_the_records_apart_do_not_bear_out(
    world, django_capture_on_commit_callbacks
):
    carol = school_teacher(world)
    survivor = _child(world, "Oliver", FATHER)
    duplicate = _child(world, "Olly", MOTHER)
    record(survivor, world.alice)
    record(duplicate, carol)
    with django_capture_on_commit_callbacks(execute=True):
        merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert Match.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        child_unmerge(merge=merge, by=world.lena)

    assert not Match.objects.exists() and not Notice.objects.exists()


def test_a_match_check_failing_after_the_merge_leaves_the_merge_and_is_logged_by_id(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    import coordination.recording

    quoted = " ".join(["synthetic failure quoting", MOTHER.name])

    def broken(**kwargs):
        raise DatabaseError(quoted)  # an error's message may quote values: never logged

    monkeypatch.setattr(coordination.recording, "child_matches_record", broken)
    survivor = _child(world, "Oliver", FATHER)
    duplicate = _child(world, "Olly", MOTHER)
    with (
        caplog.at_level("ERROR", logger="notices.email"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    assert merge.pk and not Child.objects.filter(pk=duplicate.pk).exists()
    assert (
        f"notification not sent after the commit (DatabaseError): match check for child {survivor.pk}"
        in caplog.text
    )
    assert MOTHER.name not in caplog.text
