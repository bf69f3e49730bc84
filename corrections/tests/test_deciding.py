"""Deciding a correction: the owning LA's team or data manager, never the raiser; applied through the
record-update services so search, blocking keys and feed provenance stay in step."""

import pytest
from django.urls import reverse

from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Carer, Child, RecordStatus
from children.search import SearchCriteria, child_search
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import AlreadyDecided, correction_accept, correction_raise, correction_reject
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import events, fresh
from tests.journeys import signed_in
from tests.other_la import main_of
from tests.personas import make_child, make_user
from vault.sealing import Sealer


def _raise(child, by, field="family_name", value="Thorneton"):
    return correction_raise(
        child=child, field=field_for(field), value=value, reason="Seen the certificate", by=by
    )


def test_the_la_team_accepts_and_the_record_and_its_search_keys_change(world, child):
    correction = _raise(child, world.alice)
    keys_before = set(BlockingKeyEntry.objects.filter(child=child).values_list("digest", flat=True))
    client = signed_in(world.lena)
    queue = client.get(reverse("corrections:queue")).content.decode()
    assert "Family name" in queue and reverse("corrections:decide", args=[correction.pk]) in queue
    assert "Thorneton" not in queue  # the queue names fields, never values
    page = client.get(reverse("corrections:decide", args=[correction.pk])).content.decode()
    assert "Thornton" in page and "Thorneton" in page and "Seen the certificate" in page
    response = client.post(reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction))
    assert response.status_code == 302 and response["Location"] == reverse("corrections:queue")
    assert child_details(fresh(child)).family_name == "Thorneton"
    assert set(BlockingKeyEntry.objects.filter(child=child).values_list("digest", flat=True)) != keys_before
    found = child_search(
        criteria=SearchCriteria(
            family_name="Thorneton", date_of_birth=child_details(fresh(child)).date_of_birth
        ),
        fetched_by=world.alice,
    )
    assert [r.child.pk for r in found.results] == [child.pk]
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED and correction.decided_by == world.lena
    assert Sealer(child.data_key).unseal(correction, "previous_value") == "Thornton"
    assert events(AuditTag.CorrectionQueueViewed)
    assert events(AuditTag.CorrectionOpened, correction_id=str(correction.pk))
    assert events(AuditTag.CorrectionAccepted, correction_id=str(correction.pk))
    assert [e.actor_id for e in events(AuditTag.ChildUpdated, columns=["family_name"])] == [world.lena.pk]
    mine = signed_in(world.alice).get(reverse("corrections:mine")).content.decode()
    assert "Accepted: the record was corrected" in mine


def test_a_rejection_needs_a_reason_which_the_raiser_then_sees(world, child):
    correction = _raise(child, world.alice)
    client = signed_in(world.lena)
    page = client.post(reverse("corrections:decide", args=[correction.pk]), {"decision": "reject"})
    assert "Enter why you are rejecting this correction" in page.content.decode()
    client.post(
        reverse("corrections:decide", args=[correction.pk]),
        {"decision": "reject", "reason": "The birth register says Thornton"},
    )
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert child_details(fresh(child)).family_name == "Thornton"
    assert events(AuditTag.CorrectionRejected, correction_id=str(correction.pk))
    mine = signed_in(world.alice).get(reverse("corrections:mine")).content.decode()
    assert "Rejected" in mine and "The birth register says Thornton" in mine


def test_a_carer_phone_correction_changes_the_carer(world, child):
    correction = _raise(child, world.alice, "carer-0-phone", "07700 900999")
    correction_accept(correction=correction, by=world.lena)
    carer = Carer.objects.get(child=child)
    assert Sealer(child.data_key).unseal(carer, "phone") == "07700 900999"


def test_an_address_correction_refiles_the_hidden_postcode_key(world, child):
    value = {
        "status": "known",
        "lines": ["8 Fernbank Way", "Leeds"],
        "postcode": "LS2 9JT",
        "return_intention": None,
    }
    correction_accept(correction=_raise(child, world.alice, "address", value), by=world.lena)
    found = child_search(
        criteria=SearchCriteria(family_name="Thornton", postcode="LS2 9JT"), fetched_by=world.alice
    )
    assert [r.child.pk for r in found.results] == [child.pk]
    assert child_details(fresh(child)).address.postcode == "LS2 9JT"


def test_an_address_correction_keeps_no_former_postcode(world, child):
    """A corrected postcode was never the child's address: it must not stay searchable as a former one."""
    value = {
        "status": "known",
        "lines": ["8 Fernbank Way", "Leeds"],
        "postcode": "LS2 9JT",
        "return_intention": None,
    }
    correction_accept(correction=_raise(child, world.alice, "address", value), by=world.lena)
    assert child_details(fresh(child)).former_postcodes == []
    found = child_search(
        criteria=SearchCriteria(family_name="Thornton", postcode="LS1 4AB"), fetched_by=world.alice
    )
    assert found.results == []


def test_a_correction_is_decided_once(world, child):
    correction = _raise(child, world.alice)
    correction_accept(correction=correction, by=world.lena)
    with pytest.raises(AlreadyDecided):
        correction_reject(correction=correction, by=world.dara, reason="late")
    response = signed_in(world.lena).get(reverse("corrections:decide", args=[correction.pk]))
    assert response.status_code == 302


def test_the_data_manager_of_the_la_may_decide(world, child):
    correction = _raise(child, world.alice)
    client = signed_in(world.dara)
    client.post(reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction))
    assert child_details(fresh(child)).family_name == "Thorneton"


def test_nobody_decides_their_own_correction(world, child):
    correction = _raise(child, world.lena)
    response = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403 and 'data-reason="own_correction"' in response.content.decode()
    assert child_details(fresh(child)).family_name == "Thornton"
    queue = signed_in(world.lena).get(reverse("corrections:queue")).content.decode()
    assert "You cannot decide a correction you raised" in queue


def test_another_las_team_cannot_decide_or_see_it(world, child):
    correction = _raise(child, world.alice)
    stella = make_user("stella", world.south, role="la_team")
    client = signed_in(stella)
    response = client.post(reverse("corrections:decide", args=[correction.pk]), {"decision": "accept"})
    # by id alone: refused, and told nothing of the child (review, session 37)
    assert response.status_code == 403 and 'data-reason="not_found_by_search"' in response.content.decode()
    assert world.north.name not in main_of(response)
    assert "Family name" not in client.get(reverse("corrections:queue")).content.decode()
    assert child_details(fresh(child)).family_name == "Thornton"


def test_a_data_manager_cannot_decide_a_shielded_childs_location_detail(world, shielded_child):
    value = {"status": "known", "lines": ["1 Elsewhere"], "postcode": "LS2 9JT", "return_intention": None}
    correction = _raise(shielded_child, world.lena, "address", value)
    response = signed_in(world.dara).get(reverse("corrections:decide", args=[correction.pk]))
    assert response.status_code == 403 and 'data-reason="correction_shielded"' in response.content.decode()
    assert "1 Elsewhere" not in response.content.decode()
    name = _raise(shielded_child, world.alice)
    assert signed_in(world.dara).get(reverse("corrections:decide", args=[name.pk])).status_code == 200


@pytest.mark.parametrize(
    ("who", "status", "reason"),
    [
        ("alice", 403, "role_not_permitted"),
        ("olivia", 403, "role_not_permitted"),
        ("nadia", 403, "role_not_permitted"),
        ("sam", 403, "suspended"),
        ("tom", 302, None),
    ],
)
def test_other_roles_and_unvetted_people_cannot_decide(world, child, who, status, reason):
    correction = _raise(child, world.lena)
    response = signed_in(getattr(world, who)).post(
        reverse("corrections:decide", args=[correction.pk]), {"decision": "accept"}
    )
    assert response.status_code == status
    if reason:
        assert f'data-reason="{reason}"' in response.content.decode()
    assert child_details(fresh(child)).family_name == "Thornton"


def test_a_lapsed_la_team_member_is_sent_to_the_course_not_the_queue(world, child):
    from datetime import timedelta

    from django.utils import timezone

    lapsed = make_user(
        "lapsed",
        world.north,
        role="la_team",
        training_completed_on=timezone.localdate() - timedelta(days=400),
    )
    response = signed_in(lapsed).get(reverse("corrections:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("training:course"))


def test_the_data_managers_home_lists_records_needing_correction_by_index_number_and_detail(
    world, child, shielded_child
):
    from children.index_number import formatted

    _raise(child, world.alice)
    value = {"status": "known", "lines": ["1 Elsewhere"], "postcode": "LS2 9JT", "return_intention": None}
    _raise(shielded_child, world.lena, "address", value)
    south_child = make_child(world, given_names="Noah", family_name="Begum", la=world.south)
    _raise(south_child, world.bob)
    response = signed_in(world.dara).get(reverse("data_quality"))
    page = response.content.decode()
    assert formatted(child.index_number) in page and formatted(shielded_child.index_number) in page
    assert formatted(south_child.index_number) not in page  # another LA's records: not this page's
    assert "Family name" in page and "Address" in page
    for value_or_name in ("Thorneton", "Thornton", "Elsewhere", "Amelia", "Jasmine", "Okafor", "Begum"):
        assert value_or_name not in page
    assert reverse("corrections:decide", args=[Correction.objects.get(child=child).pk]) in page
    assert "For the LA team" in page  # the shielded child's address is the LA team's to decide
    assert 'id="pending-count">2 corrections are waiting in your local authority' in page
    assert "Southborough" not in page  # another LA's count (1, a small number) is not this page's to show
    [event] = events(AuditTag.DataQualityViewed)
    assert event.additional["pending_corrections"] == 2


def test_a_correction_to_a_record_closed_for_a_new_identity_is_neither_listed_nor_opened(world, child):
    """A closed record (new identity) is never opened: its pending correction must not decrypt the old
    identity's details for the team, nor let anyone change them."""
    correction = _raise(child, world.alice)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    client = signed_in(world.lena)
    queue = client.get(reverse("corrections:queue")).content.decode()
    assert reverse("corrections:decide", args=[correction.pk]) not in queue
    response = client.get(reverse("corrections:decide", args=[correction.pk]))
    page = response.content.decode()
    assert response.status_code == 403 and 'data-reason="closed"' in page
    assert "Thorneton" not in page and "Seen the certificate" not in page
    refused = client.post(reverse("corrections:decide", args=[correction.pk]), {"decision": "accept"})
    assert refused.status_code == 403
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert not events(AuditTag.CorrectionOpened, correction_id=str(correction.pk))


def test_a_correction_to_a_record_shielded_after_the_policy_saw_it_changes_nothing(world, child):
    """A data manager may decide an address correction to an unshielded record; if the record is shielded
    before the decision takes its lock, the policy's answer no longer holds and nothing is changed."""
    from corrections.services import RecordShielded

    correction = _raise(child, world.alice, field="family_name")
    seen_by_policy = Correction.objects.select_related("child__data_key").get(pk=correction.pk)
    Child.objects.filter(pk=child.pk).update(shielded=True)
    with pytest.raises(RecordShielded):
        correction_accept(correction=seen_by_policy, by=world.lena)
    with pytest.raises(RecordShielded):
        correction_reject(correction=seen_by_policy, by=world.lena, reason="No")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert child_details(fresh(child)).family_name == "Thornton"


def test_a_correction_to_a_record_moved_to_another_la_after_the_policy_saw_it_changes_nothing(world, child):
    """The page asks the policy about the correction it loaded; a transfer accepted before the decision
    takes its lock must not let the old LA's team change a record that is no longer theirs."""
    from corrections.services import RecordMoved

    correction = _raise(child, world.alice)
    seen_by_policy = Correction.objects.select_related("child__data_key").get(pk=correction.pk)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    with pytest.raises(RecordMoved):
        correction_accept(correction=seen_by_policy, by=world.lena)
    with pytest.raises(RecordMoved):
        correction_reject(correction=seen_by_policy, by=world.lena, reason="No")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert child_details(fresh(child)).family_name == "Thornton"


def test_a_correction_decided_from_a_page_opened_before_the_record_was_archived_changes_nothing(world, child):
    """The page's policy check saw an active record; the daily job archived it before the decision."""
    from datetime import date

    import pytest

    from children.models import RecordStatus
    from children.selectors import child_details
    from corrections.fields import field_for
    from corrections.models import Correction, CorrectionStatus
    from corrections.services import RecordNotActive, correction_accept, correction_raise
    from lifecycle.services import child_archive

    raised = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneycroft", reason="Birth", by=world.alice
    )
    opened = Correction.objects.select_related("child__data_key").get(pk=raised.pk)  # the decide page
    assert child_archive(child_id=child.pk, rule="age", today=date(2026, 12, 1))
    with pytest.raises(RecordNotActive):
        correction_accept(correction=opened, by=world.lena)
    assert Correction.objects.get(pk=raised.pk).status == CorrectionStatus.LAPSED  # as the archive ended it
    archived = type(child).objects.select_related("data_key").get(pk=child.pk)
    assert archived.status == RecordStatus.ARCHIVED and child_details(archived).family_name == "Thornton"
