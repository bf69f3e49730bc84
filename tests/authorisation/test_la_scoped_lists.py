"""An LA team's lists show its own LA's people and events, never another LA's (domain.md: the LA team
"reviews audit and misuse alerts for its LA"; it manages accounts in its own LA).

Each LA gets a distinctive person (in an organisation with a distinctive name), an alert about that
person, and an audit event by that person about a child of that LA. North's team must see North's and
not South's; South's team the reverse. Every absence is paired with the page's own positive marker.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationKind, Role, User
from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.index_number import formatted
from oversight.models import Alert, AlertKind
from tests.authorisation.world import make_org
from tests.journeys import signed_in
from tests.personas import make_child, make_user


@dataclass(frozen=True)
class Planted:
    """What one LA holds that the other LA's team must never see."""

    person: str  # full name of a practitioner in this LA
    organisation: str
    alert_label: str
    index_number: str
    user: User
    child_id: UUID


def _plant(world, la, *, person: tuple[str, str], organisation: tuple[str, str], alert: AlertKind) -> Planted:
    """A practitioner whose training lapses soon, a misuse alert about them, an unexplained record view."""
    first, last = person
    kind, name = organisation
    lapsing = timezone.localdate() - timedelta(days=350)  # within 30 days of the yearly renewal
    user = make_user(
        first.lower(),
        make_org(kind, name, la),
        first_name=first,
        last_name=last,
        training_completed_on=lapsing,
    )
    child = make_child(world, family_name=f"{last}-Child", la=la, date_of_birth=date(2016, 5, 6))
    Alert.objects.create(local_authority=la, kind=alert, raised_by=user)
    # a record view with no search before it and no involvement: it belongs in "unexplained"
    event_record(
        tag=AuditTag.RecordViewed,
        actor=user,
        child_id=child.pk,
        additional={"purpose": "providing_service", "purpose_detail_sealed": None, "restricted_view": False},
    )
    return Planted(
        f"{first} {last}", name, AlertKind(alert).label, formatted(child.index_number), user, child.pk
    )


@pytest.fixture
def two_las(world) -> dict[str, Planted]:
    make_user("stella", world.south, Role.LA_TEAM)
    return {
        "lena": _plant(
            world,
            world.north,
            person=("Ottoline", "Farthingale"),
            organisation=(OrganisationKind.YOUTH, "Fernhollow Youth Service"),
            alert=AlertKind.OWN_SURNAME_SEARCH,
        ),
        "stella": _plant(
            world,
            world.south,
            person=("Xanthe", "Quimbleby"),
            organisation=(OrganisationKind.HEALTH, "Saltmarsh Health Visiting"),
            alert=AlertKind.BULK_REFINED_SEARCHES,
        ),
    }


TEAMS = ["lena", "stella"]


def _other(team: str) -> str:
    return "stella" if team == "lena" else "lena"


def _get(world, team: str, path: str):
    user = User.objects.get(username=team)
    response = signed_in(user).get(path)
    return response, response.content.decode()


@pytest.mark.parametrize("team", TEAMS)
def test_the_users_list_shows_own_la_people_and_never_another_las(world, two_las, team):
    own, other = two_las[team], two_las[_other(team)]
    response, page = _get(world, team, reverse("team:users"))
    assert response.status_code == 200
    assert "Accounts in your local authority</h1>" in page
    assert own.person in page and own.organisation in page
    lapsing = page[page.index('id="lapsing"') :]
    assert own.person in lapsing.split("</ul>")[0]
    assert other.person not in page and other.organisation not in page
    # the people the world already had: alice and lena in North; bob, olivia and stella in South
    north, south = ["Alice Example", "Lena Example"], ["Bob Example", "Olivia Example", "Stella Example"]
    mine, theirs = (north, south) if team == "lena" else (south, north)
    assert all(name in page for name in mine)
    assert not any(name in page for name in theirs)


@pytest.mark.parametrize("team", TEAMS)
def test_the_alert_queue_shows_own_la_alerts_and_never_another_las(world, two_las, team):
    own, other = two_las[team], two_las[_other(team)]
    response, page = _get(world, team, reverse("oversight:alerts"))
    assert response.status_code == 200
    assert "Alerts for your local authority</h1>" in page
    assert own.person in page and own.alert_label in page
    assert other.person not in page and other.alert_label not in page and other.organisation not in page


@pytest.mark.parametrize("team", TEAMS)
def test_the_unexplained_report_shows_own_la_events_and_never_another_las(world, two_las, team):
    own, other = two_las[team], two_las[_other(team)]
    response, page = _get(world, team, reverse("audit:unexplained"))
    assert response.status_code == 200
    assert "Records opened without a search or an involvement</h1>" in page
    assert own.person in page and own.index_number in page and own.organisation in page
    assert other.person not in page and other.index_number not in page and other.organisation not in page


@pytest.mark.parametrize("team", TEAMS)
def test_user_activity_shows_own_la_people_and_refuses_another_las(world, two_las, team):
    own, other = two_las[team], two_las[_other(team)]
    response, page = _get(world, team, reverse("audit:user_activity", args=[own.user.pk]))
    assert response.status_code == 200
    assert f"{own.person}</h1>" in page and own.index_number in page

    response, page = _get(world, team, reverse("audit:user_activity", args=[other.user.pk]))
    assert response.status_code == 403
    assert 'data-reason="other_la"' in page
    assert other.person not in page and other.index_number not in page


@pytest.mark.parametrize("team", TEAMS)
def test_the_report_lookup_never_opens_another_las_activity(world, two_las, team):
    own, other = two_las[team], two_las[_other(team)]
    client = signed_in(User.objects.get(username=team))
    index = client.get(reverse("audit:index")).content.decode()
    assert "Audit reports</h1>" in index and other.person not in index

    found = client.post(reverse("audit:index"), {"username": own.user.username}, follow=True)
    assert found.status_code == 200 and f"{own.person}</h1>" in found.content.decode()

    # Another LA's account is answered exactly as an account that does not exist: no existence oracle.
    probed = client.post(reverse("audit:index"), {"username": other.user.username}, follow=True)
    page = probed.content.decode()
    assert probed.status_code == 200 and "No account matches that name or username" in page
    assert other.person not in page and other.index_number not in page
    ghost = client.post(reverse("audit:index"), {"username": "nobody-by-this-name"}, follow=True)
    assert "No account matches that name or username" in ghost.content.decode()


@pytest.mark.parametrize("team", TEAMS)
def test_the_summary_export_counts_own_la_events_and_never_another_las(world, two_las, team):
    own, other = two_las[team], two_las[_other(team)]
    response, csv = _get(world, team, reverse("audit:export"))
    assert response.status_code == 200
    assert csv.startswith("day,event,tag,organisation,count")
    assert f"{AuditTag.RecordViewed},{own.organisation},1" in csv
    assert other.organisation not in csv

    response, body = _get(world, team, f"{reverse('audit:export')}?report=unexplained")
    assert response.status_code == 200
    assert f"{AuditTag.RecordViewed},{own.organisation},1" in body
    assert other.organisation not in body

    # Another LA's child, by id alone (never found by search): refused without saying whose it is (review,
    # session 37); another LA's account: refused as another LA's.
    for query, reason in (
        (f"report=user&user={other.user.pk}", "other_la"),
        (f"report=child&child={other.child_id}", "not_found_by_search"),
    ):
        response, body = _get(world, team, f"{reverse('audit:export')}?{query}")
        assert response.status_code == 403 and f'data-reason="{reason}"' in body, query
        assert other.organisation not in body


@pytest.mark.parametrize("team", TEAMS)
def test_an_invitation_cannot_create_an_account_in_another_la(world, two_las, team):
    other = two_las[_other(team)]
    client = signed_in(User.objects.get(username=team))
    accounts_before = User.objects.count()
    response = client.post(
        reverse("team:invite"),
        {
            "first_name": "Wilhelmina",
            "last_name": "Invitee",
            "email": "wilhelmina@example.org",
            "username": "wilhelmina",
            "organisation": str(other.user.organisation_id),
            "role": Role.PRACTITIONER,
            "background_check_on": "2026-01-02",
            "training_completed_on": "2026-01-03",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and other.organisation not in page
    assert User.objects.count() == accounts_before


@pytest.mark.parametrize("report", ["page", "export"])
def test_a_person_who_moved_la_shows_the_new_la_team_nothing_done_for_the_old_la(world, two_las, report):
    """Scope is where the person worked when they acted (reports.reports): South-era work stays South's."""
    south_child = make_child(world, family_name="Pemberton-Oyelaran", la=world.south)
    mover = make_user("mover", world.south_gp, first_name="Tamsin", last_name="Mover")
    event_record(tag=AuditTag.SearchPerformed, actor=mover, additional={"result_ids": [], "too_many": False})
    event_record(
        tag=AuditTag.RecordViewed,
        actor=mover,
        child_id=south_child.pk,
        additional={"purpose": "providing_service", "purpose_detail_sealed": None, "restricted_view": False},
    )
    mover.organisation = world.north_social_care  # moves to North
    mover.save(update_fields=["organisation"])
    event_record(tag=AuditTag.SearchPerformed, actor=mover, additional={"result_ids": [], "too_many": False})

    if report == "page":
        response, page = _get(world, "lena", reverse("audit:user_activity", args=[mover.pk]))
        assert response.status_code == 200 and "Tamsin Mover</h1>" in page
        assert "1 event." in page  # the North-era search only
        assert formatted(south_child.index_number) not in page and "South Street Surgery" not in page
    else:
        response, csv = _get(world, "lena", f"{reverse('audit:export')}?report=user&user={mover.pk}")
        assert response.status_code == 200 and csv.startswith("day,event,tag,organisation,count")
        assert f"{AuditTag.SearchPerformed},Northshire Children's Services,1" in csv
        assert "South Street Surgery" not in csv


@pytest.mark.parametrize("team", TEAMS)
def test_an_la_team_member_cannot_acknowledge_an_alert_about_themselves(world, two_las, team):
    """2009: users searched their own relatives. A team member's own alert is for a colleague to clear."""
    member = User.objects.get(username=team)
    alert = Alert.objects.create(
        local_authority=member.organisation, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=member
    )
    client = signed_in(member)
    response = client.post(reverse("oversight:alert_acknowledge", args=[alert.pk]))
    page = response.content.decode()
    assert response.status_code == 403 and 'data-reason="own_alert"' in page
    assert "You cannot acknowledge an alert about yourself" in page
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=member).get()
    assert refusal.additional["reason"] == "own_alert"
    assert not AuditEvent.objects.filter(tag=AuditTag.AlertAcknowledged).exists()
