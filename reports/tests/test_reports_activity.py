"""All activity by a user, and all access to a child: scope, filter, pages, purpose details, no names."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.index_number import formatted
from reports.reports import PAGE_SIZE, child_access, user_activity
from reports.tests.reporting import DISTINCTIVE_FAMILY, DISTINCTIVE_GIVEN, searched, viewed
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered
from tests.personas import make_child, make_user


@pytest.fixture
def distinctive_child(world):
    return make_child(
        world, given_names=DISTINCTIVE_GIVEN, family_name=DISTINCTIVE_FAMILY, postcode="LS2 9ZZ"
    )


def test_user_activity_lists_what_the_user_did_newest_first(world, child):
    searched(world.alice)
    viewed(child, world.alice)
    events = list(user_activity(subject=world.alice, fetched_by=world.lena))
    assert [e.tag for e in events] == [AuditTag.RecordViewed, AuditTag.SearchPerformed]


def test_user_activity_filters_by_whole_local_days(world, child):
    viewed(child, world.alice)
    today = timezone.localdate()
    assert (
        user_activity(subject=world.alice, fetched_by=world.lena, date_from=today, date_to=today).count() == 1
    )
    yesterday = today - timedelta(days=1)
    assert not user_activity(subject=world.alice, fetched_by=world.lena, date_to=yesterday).exists()
    assert not user_activity(
        subject=world.alice, fetched_by=world.lena, date_from=today + timedelta(days=1)
    ).exists()


def test_the_user_activity_page_shows_50_events_a_page(world, child):
    for _ in range(PAGE_SIZE + 3):
        viewed(child, world.alice)
    client = signed_in(world.lena)
    first = client.get(reverse("audit:user_activity", args=[world.alice.pk]))
    assert first.content.decode().count('data-label="Event"') == PAGE_SIZE
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("audit:user_activity", args=[world.alice.pk]), {"page": 2})
    assert second.content.decode().count('data-label="Event"') == 3


def test_an_invalid_date_filter_is_reported_and_not_applied(world, child):
    viewed(child, world.alice)
    response = signed_in(world.lena).get(
        reverse("audit:user_activity", args=[world.alice.pk]),
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert response.content.decode().count('data-label="Event"') == 1


def test_viewing_a_user_activity_report_is_audited_with_the_filter(world):
    signed_in(world.lena).get(
        reverse("audit:user_activity", args=[world.alice.pk]), {"date_from": "2026-01-01"}
    )
    event = AuditEvent.objects.get(tag=AuditTag.ReportViewed, actor=world.lena)
    assert event.additional == {
        "actor_role": "la_team",
        "report": "user",
        "page": 1,
        "from": "2026-01-01",
        "to": None,
        "subject_id": world.alice.pk,
    }


def test_child_access_lists_every_event_about_the_child(world, child):
    other = make_child(world, given_names="Noah", family_name="Begum")
    viewed(child, world.alice)
    viewed(other, world.alice)
    viewed(child, world.bob)
    events = list(child_access(child=child, fetched_by=world.nadia))
    assert {e.actor_id for e in events if e.tag == AuditTag.RecordViewed} == {world.alice.pk, world.bob.pk}
    assert all(e.child_id == child.pk for e in events)


def test_viewing_a_child_access_report_is_audited_against_the_child(world, child):
    signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk]))
    event = AuditEvent.objects.get(tag=AuditTag.ReportViewed, actor=world.lena)
    assert event.child_id == child.pk
    assert event.additional["report"] == "child"


def test_the_child_access_report_shows_organisation_role_and_purpose(world, child):
    viewed(child, world.bob, purpose="safeguarding")
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()
    assert "South Street Surgery" in page
    assert "Practitioner" in page
    assert "A safeguarding or child protection concern" in page


def test_the_owning_la_team_reads_the_purpose_detail(world, child):
    viewed(child, world.bob, purpose="other", detail="Synthetic detail about a clinic referral")
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()
    assert "Synthetic detail about a clinic referral" in page


def test_the_national_auditor_never_reads_the_purpose_detail(world, child):
    viewed(child, world.bob, purpose="other", detail="Synthetic detail about a clinic referral")
    response = signed_in(world.nadia).get(reverse("audit:child_access", args=[child.pk]))
    page = rendered(response, heading=f"Index number {formatted(child.index_number)}")
    assert "Another reason" in page
    assert "Synthetic detail" not in page


def test_the_owning_la_team_reads_an_override_reason(world, shielded_child):
    from children.override import shield_override

    shield_override(child=shielded_child, by=world.olivia, reason="Synthetic emergency reason")
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[shielded_child.pk])).content.decode()
    assert "Synthetic emergency reason" in page
    assert "Emergency access to the shielded record" in page


def test_the_national_auditors_report_pages_never_show_a_childs_name(world, distinctive_child):
    searched(world.alice, family_name=DISTINCTIVE_FAMILY)
    viewed(distinctive_child, world.alice, purpose="other", detail="Synthetic detail")
    client = signed_in(world.nadia)
    pages = {
        f"Index number {formatted(distinctive_child.index_number)}": client.get(
            reverse("audit:child_access", args=[distinctive_child.pk])
        ),
        "Alice Example": client.get(reverse("audit:user_activity", args=[world.alice.pk])),
        "Records opened without a search or an involvement": client.get(reverse("audit:unexplained")),
        "Audit reports": client.post(reverse("audit:index"), {"index_number": "000000000"}),
    }
    export = client.get(reverse("audit:export"))
    assert export.status_code == 200
    assert export.content.decode().startswith("day,event,tag,organisation,count")
    bodies = [rendered(response, heading=heading) for heading, response in pages.items()]
    for body in [*bodies, export.content.decode()]:
        assert DISTINCTIVE_GIVEN not in body
        assert DISTINCTIVE_FAMILY not in body
        assert "Quarry Lane" not in body


def test_the_index_page_finds_a_child_by_index_number(world, child):
    response = signed_in(world.nadia).post(reverse("audit:index"), {"index_number": child.index_number})
    assert response["Location"] == reverse("audit:child_access", args=[child.pk])


def test_the_index_page_finds_a_user_by_username(world):
    response = signed_in(world.lena).post(reverse("audit:index"), {"username": "alice"})
    assert response["Location"] == reverse("audit:user_activity", args=[world.alice.pk])


def test_the_la_teams_user_lookup_finds_its_own_staff_however_many_other_las_share_the_name(world):
    """The look-up once took the first 21 accounts in the country, then dropped other LAs': North's own
    Alex, sorted after 25 of Southborough's, was answered "No account matches"."""
    for n in range(25):
        make_user(f"alex{n:02}", world.south_gp, first_name="Alex", last_name=f"Abbott{n:02}")
    own = make_user("alex.zephyr", world.north_social_care, first_name="Alex", last_name="Zephyr")
    response = signed_in(world.lena).post(reverse("audit:index"), {"find": "user", "username": "Alex"})
    assert response.status_code == 303, "North's own Alex was crowded out by Southborough's accounts"
    assert response["Location"] == reverse("audit:user_activity", args=[own.pk])


def test_the_index_page_says_when_nothing_matches(world):
    response = signed_in(world.lena).post(reverse("audit:index"), {"username": "nobody", "index_number": "1"})
    body = response.content.decode()
    assert "No account matches that name or username" in body
    assert "No record has that index number" in body


def test_a_real_record_view_appears_in_the_childs_access_report(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="checking_details")
    client.get(reverse("children:record", args=[child.pk]))
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()
    assert "Checking or updating details held" in page
    assert "Alice Example" in page


def test_report_rows_describe_searches_and_refusals_without_their_criteria(world, child, settings):
    from audit.services import event_record
    from reports.reports import report_rows

    searched(world.bob)
    settings.SEARCH_RESULT_CAP = 0
    searched(world.bob)
    event_record(
        tag=AuditTag.AccessDenied, actor=world.bob, additional={"action": "child:view", "reason": "shielded"}
    )
    rows = report_rows(
        events=user_activity(subject=world.bob, fetched_by=world.nadia), fetched_by=world.nadia
    )
    assert [r.note for r in rows] == ["child:view: shielded", "Too many matches: none shown", "1 returned"]


def test_an_la_team_member_without_an_la_has_nothing_in_scope(world, child):
    from reports.reports import activity_in_scope

    viewed(child, world.alice)
    world.lena.organisation = world.nadia.organisation
    assert not activity_in_scope(fetched_by=world.lena).exists()


def test_a_restricted_view_of_a_shielded_record_is_marked(world, shielded_child):
    viewed(shielded_child, world.bob, restricted=True)
    page = signed_in(world.lena).get(reverse("audit:child_access", args=[shielded_child.pk])).content.decode()
    assert "Shielded: restricted view" in page


def test_an_empty_lookup_shows_the_reports_menu(world):
    response = signed_in(world.lena).post(reverse("audit:index"), {"username": "", "index_number": ""})
    assert response.status_code == 200
    assert "Records opened without a search or an involvement" in response.content.decode()
