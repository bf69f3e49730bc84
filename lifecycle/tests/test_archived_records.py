"""An archived record is never found by search; a data manager's view of it is audited with why."""

from datetime import date

import pytest

from audit.tags import AuditTag
from children.models import Child
from children.search import SearchCriteria, child_search
from lifecycle.services import lifecycle_run
from lifecycle.tests.support import events, move_to
from lifecycle.viewing import archived_record_open
from vault.sealing import note_unseal

EXACT = SearchCriteria("Thornton", given_name="Amelia", date_of_birth=date(2015, 3, 4), gender="female")


@pytest.fixture
def archived(world, child, clock):
    move_to(clock, date(2033, 3, 4))
    lifecycle_run()
    return Child.objects.select_related("data_key").get(pk=child.pk)


def test_the_child_is_found_by_search_while_active(world, child):
    assert [r.child.pk for r in child_search(criteria=EXACT, fetched_by=world.alice).results] == [child.pk]


@pytest.mark.parametrize("persona", ["alice", "lena", "olivia"])
def test_an_archived_child_is_never_found_by_search(world, archived, persona):
    for criteria in (EXACT, SearchCriteria("Thornton", postcode="LS1 4AB")):
        outcome = child_search(criteria=criteria, fetched_by=getattr(world, persona))
        assert outcome.results == [] and outcome.matched == 0
    assert all(e.additional["result_ids"] == [] for e in events(AuditTag.SearchPerformed))


def test_a_data_managers_view_of_an_archived_record_is_audited_with_its_purpose(world, archived):
    view = archived_record_open(child=archived, by=world.dara, purpose="subject_access", detail="SAR 42")
    assert view.details.family_name == "Thornton"
    [event] = events(AuditTag.ArchivedRecordViewed, archived)
    assert event.actor == world.dara
    assert event.additional["purpose"] == "subject_access"
    assert event.additional["statutory_reason"] is None
    assert event.additional["actor_role"] == "data_manager"
    sealed = event.additional["purpose_detail_sealed"]
    assert (
        "SAR" not in sealed and note_unseal(archived.data_key, context="purpose", sealed=sealed) == "SAR 42"
    )


def test_a_statutory_view_is_audited_with_its_statutory_reason(world, archived):
    archived_record_open(child=archived, by=world.dara, purpose="other", statutory_reason="court_order")
    [event] = events(AuditTag.ArchivedRecordViewed, archived)
    assert event.additional["statutory_reason"] == "court_order"
    assert event.additional["purpose_detail_sealed"] is None


@pytest.mark.parametrize(
    ("purpose", "reason"), [("browsing", None), ("subject_access", "curiosity")], ids=["purpose", "reason"]
)
def test_an_unknown_purpose_or_statutory_reason_is_refused_and_nothing_is_shown(
    world, archived, purpose, reason
):
    with pytest.raises(ValueError, match="unknown"):
        archived_record_open(child=archived, by=world.dara, purpose=purpose, statutory_reason=reason)
    assert events(AuditTag.ArchivedRecordViewed) == []


def test_an_active_record_is_not_opened_through_the_archive(world, child):
    with pytest.raises(ValueError, match="archived"):
        archived_record_open(child=child, by=world.dara, purpose="subject_access")
    assert events(AuditTag.ArchivedRecordViewed) == []


def test_a_subject_access_report_describes_archiving_and_archive_views_in_words(world, archived):
    from reports.subject_access import subject_access_report

    archived_record_open(child=archived, by=world.dara, purpose="subject_access")
    report = subject_access_report(child=archived, produced_by=world.lena, reference="SAR-1")
    described = [(a.description, a.purpose) for a in report.accesses]
    assert ("Record archived", "") in described
    assert ("Opened the archived record", "Answering a subject access request") in described
