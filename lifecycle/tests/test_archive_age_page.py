"""The LA team records a consented archive age on the record's page.

The domain keeps a record to 18, or to the consented archive age up to 25 (a care leaver, a young person
with special educational needs). `lifecycle.services.archive_age_record` existed, but no page, feed or
command called it: nobody could keep a record past 18. The owning LA team now records the age from the
record (moves pages: the owning team, on an active record, shielded included), with the young person's
consent confirmed for any age above 18; 18 withdraws a consent. Each change is audited with the age.
"""

from django.urls import reverse

from accounts.models import Role
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from lifecycle.moves import RecordChangedSince
from lifecycle.services import archive_age_record
from lifecycle.tests.support import events
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

HEADING = "How long should this record be kept?"


def _url(child: Child) -> str:
    return reverse("moves:archive_age", args=[child.pk])


def _age(child: Child) -> int:
    return Child.objects.values_list("archive_age", flat=True).get(pk=child.pk)


def test_the_la_team_keeps_a_record_to_21_with_consent_and_it_is_audited(world, child):
    client = signed_in(world.lena)
    client.post(reverse("children:purpose", args=[child.pk]), {"purpose": "providing_service"})
    page = rendered(client.get(_url(child)), heading=HEADING)
    assert "Archived at 18" in page

    answer = client.post(_url(child), {"age": "21", "consent": "on"}, follow=True)

    assert answer.redirect_chain[-1][0] == reverse("children:record", args=[child.pk])
    assert "This record will be kept until the young person is 21" in answer.content.decode()
    assert _age(child) == 21
    [event] = events(AuditTag.ArchiveAgeRecorded, child)
    assert event.actor == world.lena and event.additional["age"] == 21
    assert "Archived at 21" in rendered(client.get(_url(child)), heading=HEADING)
    assert "now until 21" in answer.content.decode()  # the record page's link says so too


def test_a_later_age_without_the_consent_confirmed_is_refused_and_nothing_changes(world, child):
    page = rendered(signed_in(world.lena).post(_url(child), {"age": "21"}), heading=HEADING)
    assert "Confirm that the young person has agreed" in page
    assert _age(child) == 18
    assert events(AuditTag.ArchiveAgeRecorded) == []


def test_18_withdraws_a_consent_without_a_confirmation(world, child):
    archive_age_record(child=child, age=23, by=world.lena)
    answer = signed_in(world.lena).post(_url(child), {"age": "18"}, follow=True)
    assert "This record will be archived when the young person turns 18" in answer.content.decode()
    assert _age(child) == 18
    assert [e.additional["age"] for e in events(AuditTag.ArchiveAgeRecorded, child)] == [23, 18]


def test_an_age_outside_18_to_25_is_refused_and_nothing_changes(world, child):
    for age in ("26", "17", "twenty", ""):
        page = rendered(
            signed_in(world.lena).post(_url(child), {"age": age, "consent": "on"}), heading=HEADING
        )
        assert "Choose the age until which the record is kept" in page
    assert _age(child) == 18
    assert events(AuditTag.ArchiveAgeRecorded) == []


def test_the_age_already_recorded_writes_nothing(world, child):
    archive_age_record(child=child, age=21, by=world.lena)
    answer = signed_in(world.lena).post(_url(child), {"age": "21", "consent": "on"}, follow=True)
    assert "already kept until 21: nothing was changed" in answer.content.decode()
    assert len(events(AuditTag.ArchiveAgeRecorded, child)) == 1


def test_the_record_page_offers_it_to_its_own_la_team_only(world, child):
    record = reverse("children:record", args=[child.pk])
    lena = signed_in(world.lena)
    lena.post(reverse("children:purpose", args=[child.pk]), {"purpose": "providing_service"})
    assert _url(child) in lena.get(record).content.decode()
    alice = signed_in(world.alice)
    alice.post(reverse("children:purpose", args=[child.pk]), {"purpose": "providing_service"})
    assert _url(child) not in alice.get(record).content.decode()


def test_nobody_but_the_owning_la_team_may_record_it(world, child):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    for user in (stella, world.alice, world.dara):
        assert signed_in(user).post(_url(child), {"age": "21", "consent": "on"}).status_code == 403
    assert _age(child) == 18
    assert events(AuditTag.ArchiveAgeRecorded) == []


def test_a_record_moved_to_another_la_since_the_page_read_it_is_not_changed(world, child):
    seen = Child.objects.get(pk=child.pk)  # as the page's policy check saw it: North's
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)  # accepted by South meanwhile
    try:
        archive_age_record(child=seen, age=21, by=world.lena)
    except RecordChangedSince as refused:
        assert "another local authority" in str(refused)
    else:
        raise AssertionError("recorded on a record another LA holds now")
    assert _age(child) == 18


def test_an_archived_record_is_refused(world, child):
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    assert signed_in(world.lena).post(_url(child), {"age": "21", "consent": "on"}).status_code == 403
    assert _age(child) == 18
