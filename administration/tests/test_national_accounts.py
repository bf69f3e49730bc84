"""National accounts: the system administrator invites, suspends, reinstates and closes national and
LA team accounts, each audited, and never acts on their own account or on a practitioner's."""

from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import suspension_version
from administration.tests.support import administrator
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_user

INVITE = invitation_form(
    first_name="Nell",
    last_name="Auditor",
    email="nell@example.org",
    username="nell",
    role=Role.NATIONAL_AUDITOR,
    manager_email="boss@example.org",
)


def _invite(client, organisation, **changes):
    return client.post(
        reverse("administration:account_invite"), {**INVITE, "organisation": str(organisation.pk), **changes}
    )


def test_the_administrator_invites_a_national_auditor_and_it_is_audited(world):
    admin = administrator(world)
    national = world.nadia.organisation
    response = _invite(signed_in(admin), national)
    assert response["Location"] == reverse("administration:accounts")
    nell = User.objects.get(username="nell")
    assert (nell.role, nell.organisation, nell.has_usable_password()) == (
        Role.NATIONAL_AUDITOR,
        national,
        False,
    )
    event = AuditEvent.objects.get(tag=AuditTag.AccountInvited)
    assert (event.actor_id, event.additional["user_id"]) == (admin.pk, nell.pk)
    assert "/account/invitation/" in mail.outbox[0].body
    listing = signed_in(admin).get(reverse("administration:accounts")).content.decode()
    assert "Nell Auditor</a>" in listing and ">Invited</strong>" in listing


def test_the_administrator_invites_an_la_team_member_for_any_la(world):
    _invite(signed_in(administrator(world)), world.south, role=Role.LA_TEAM, username="sol")
    assert User.objects.get(username="sol").home_la_id == world.south.pk


def test_an_la_team_member_must_join_a_local_authority(world):
    page = _invite(
        signed_in(administrator(world)), world.nadia.organisation, role=Role.LA_TEAM
    ).content.decode()
    assert "Select a local authority for an LA team member or data manager" in page
    assert not User.objects.filter(username="nell").exists()


def test_a_practitioner_cannot_be_invited_nationally(world):
    page = _invite(signed_in(administrator(world)), world.north, role=Role.PRACTITIONER).content.decode()
    assert "Select their role" in page or "Select role" in page
    assert not User.objects.filter(username="nell").exists()


def test_a_practice_or_school_is_not_offered_for_a_national_account(world):
    page = signed_in(administrator(world)).get(reverse("administration:account_invite")).content.decode()
    assert "Northshire Council" in page and "National Audit" in page
    assert "North Road Surgery" not in page.split('name="organisation"', 1)[1]


def test_the_administrator_suspends_and_reinstates_a_national_account_audited(
    world, django_capture_on_commit_callbacks
):
    admin = administrator(world)
    client = signed_in(admin)
    world.nadia.manager_email = "audit-office@example.org"
    world.nadia.save()
    path = reverse("administration:account_suspend", args=[world.nadia.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out once the suspension commits
        response = client.post(path, {"reason": "Left the audit office"})
    assert response["Location"] == reverse("administration:account", args=[world.nadia.pk])
    world.nadia.refresh_from_db()
    assert world.nadia.suspended_at is not None
    suspended = AuditEvent.objects.get(tag=AuditTag.AccountSuspended)
    assert (suspended.actor_id, suspended.additional["user_id"]) == (admin.pk, world.nadia.pk)
    assert "by a system administrator" in mail.outbox[-1].body
    page = rendered(client.get(response["Location"]), heading="Nadia Example")
    assert "Suspended: Left the audit office" in page

    shown = {"suspension": suspension_version(world.nadia)}
    client.post(reverse("administration:account_reinstate", args=[world.nadia.pk]), shown)
    world.nadia.refresh_from_db()
    assert world.nadia.suspended_at is None
    reinstated = AuditEvent.objects.get(tag=AuditTag.AccountReinstated)
    assert (reinstated.actor_id, reinstated.additional["user_id"]) == (admin.pk, world.nadia.pk)


def test_a_suspension_without_a_reason_is_refused_in_govuk_words(world):
    client = signed_in(administrator(world))
    page = client.post(reverse("administration:account_suspend", args=[world.nadia.pk]), {"reason": ""})
    assert "Enter why you are suspending this account" in page.content.decode()
    world.nadia.refresh_from_db()
    assert world.nadia.suspended_at is None


def test_closing_a_national_account_asks_first_then_closes_audited(world):
    admin = administrator(world)
    client = signed_in(admin)
    path = reverse("administration:account_close", args=[world.dara.pk])
    unconfirmed = client.post(path)
    assert (
        unconfirmed["Location"] == reverse("administration:account", args=[world.dara.pk]) + "?confirm=close"
    )
    world.dara.refresh_from_db()
    assert world.dara.is_active
    rendered(
        client.get(unconfirmed["Location"]), heading="Are you sure you want to close Dara Example's account?"
    )
    client.post(path, {"confirmed": "yes"})
    world.dara.refresh_from_db()
    assert not world.dara.is_active
    closed = AuditEvent.objects.get(tag=AuditTag.AccountClosed)
    assert (closed.actor_id, closed.additional["user_id"]) == (admin.pk, world.dara.pk)


def test_the_administrator_can_never_suspend_reinstate_or_close_their_own_account(world):
    admin = administrator(world)
    client = signed_in(admin)
    for name, data in (
        ("administration:account", None),
        ("administration:account_suspend", {"reason": "Testing myself"}),
        ("administration:account_reinstate", {}),
        ("administration:account_close", {"confirmed": "yes"}),
    ):
        path = reverse(name, args=[admin.pk])
        response = client.get(path) if data is None else client.post(path, data)
        assert response.status_code == 403, name
        assert "Ask another system administrator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and admin.suspended_at is None
    assert not AuditEvent.objects.filter(
        tag__in=[AuditTag.AccountSuspended, AuditTag.AccountReinstated, AuditTag.AccountClosed]
    ).exists()
    listing = client.get(reverse("administration:accounts")).content.decode()
    assert "Simon Example (you)" in listing
    assert reverse("administration:account", args=[admin.pk]) not in listing


def test_another_administrator_can_suspend_an_administrator(world):
    first = administrator(world)
    second = administrator(world, "sara")
    signed_in(second).post(reverse("administration:account_suspend", args=[first.pk]), {"reason": "Left"})
    first.refresh_from_db()
    assert first.suspended_at is not None


def test_a_practitioners_account_is_left_to_their_la_team(world):
    client = signed_in(administrator(world))
    response = client.post(reverse("administration:account_suspend", args=[world.alice.pk]), {"reason": "No"})
    assert response.status_code == 403
    assert "looked after by its local authority" in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None


def test_an_la_team_member_in_any_la_is_managed_nationally(world):
    stella = make_user("stella", world.south, Role.LA_TEAM)
    client = signed_in(administrator(world))
    client.post(reverse("administration:account_suspend", args=[stella.pk]), {"reason": "Moved job"})
    stella.refresh_from_db()
    assert stella.suspended_at is not None


def test_administration_changes_need_recent_reauthentication(world):
    client = signed_in(administrator(world), reauthenticated=False)
    for path, data in (
        (reverse("administration:organisation_new"), None),
        (reverse("administration:organisation_edit", args=[world.north_gp.pk]), None),
        (reverse("administration:account_invite"), None),
        (reverse("administration:account_suspend", args=[world.nadia.pk]), {"reason": "Left"}),
        (reverse("administration:account_close", args=[world.nadia.pk]), {"confirmed": "yes"}),
    ):
        response = client.get(path) if data is None else client.post(path, data)
        assert response["Location"].startswith(reverse("accounts:reauthenticate")), path
    world.nadia.refresh_from_db()
    assert world.nadia.is_active and world.nadia.suspended_at is None


def test_the_administrator_records_an_la_team_members_home_postcode_and_their_own_search_there_is_flagged(
    world,
):
    from accounts.home_postcode import home_postcode_token
    from oversight.models import Alert, AlertKind
    from tests.personas import make_child

    admin = administrator(world)
    response = signed_in(admin).post(
        reverse("administration:account_home_postcode", args=[world.lena.pk]), {"postcode": "ls2 7qq"}
    )
    assert response["Location"] == reverse("administration:account", args=[world.lena.pk])
    world.lena.refresh_from_db()
    assert world.lena.home_postcode_token == home_postcode_token("LS2 7QQ")
    assert AuditEvent.objects.get(tag=AuditTag.HomePostcodeRecorded).actor == admin
    page = rendered(
        signed_in(admin).get(reverse("administration:account", args=[world.lena.pk])), heading="Lena Example"
    )
    assert "Recorded on" in page and "LS2 7QQ" not in page

    make_child(world, postcode="LS2 7QQ")
    signed_in(world.lena).post(reverse("children:search"), {"family_name": "Thornton", "postcode": "LS2 7QQ"})
    assert Alert.objects.get().kind == AlertKind.OWN_ADDRESS_SEARCH


def test_the_administrator_cannot_record_a_practitioners_home_postcode(world):
    response = signed_in(administrator(world)).post(
        reverse("administration:account_home_postcode", args=[world.alice.pk]), {"postcode": "LS2 7QQ"}
    )
    assert response.status_code == 403
    world.alice.refresh_from_db()
    assert world.alice.home_postcode_token == ""
