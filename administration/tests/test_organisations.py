"""The organisation directory: find, add, change (working hours above all) and close, each audited."""

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.directory import OrganisationCodeTaken, OrganisationDetails, organisation_create
from accounts.models import Organisation
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag, tag_label
from tests.journeys import signed_in
from tests.pages import rendered


def _listed(client, **filters) -> str:
    """The directory table only (the page also says whose account is signed in, and where)."""
    page = client.get(reverse("administration:organisations"), filters).content.decode()
    return page.split('id="organisations"', 1)[1]


def _add(world, client, **changes):
    return client.post(reverse("administration:organisation_new"), organisation_form(world, **changes))


def test_the_directory_lists_every_kind_and_filters_by_kind_and_name(world):
    client = signed_in(administrator(world))
    page = rendered(client.get(reverse("administration:organisations")), heading="Organisations")
    for name in (
        "Northshire Council",
        "North Road Surgery",
        "Northshire Primary School",
        "Southborough Police",
    ):
        assert name in page
    surgeries = _listed(client, kind="gp")
    assert "North Road Surgery" in surgeries and "South Street Surgery" in surgeries
    assert "Northshire Primary School" not in surgeries
    named = _listed(client, name="south")
    assert "Southborough Council" in named and "South Street Surgery" in named
    assert "Northshire Council" not in named


def test_adding_an_organisation_records_it_with_its_contact_details_and_audits_it(world):
    admin = administrator(world)
    client = signed_in(admin)
    response = _add(world, client)
    added = Organisation.objects.get(code="URN-777001")
    assert response.status_code == 302
    assert (added.kind, added.local_authority, added.phone) == ("school", world.north, "0113 496 0100")
    page = rendered(client.get(response["Location"]), heading="Wrenbrook Academy")
    assert 'href="mailto:office@wrenbrook.example.org"' in page
    assert 'href="tel:' in page
    assert "The national working hours" in page
    event = AuditEvent.objects.get(tag=AuditTag.OrganisationCreated)
    assert (event.actor_id, event.additional["organisation_id"]) == (admin.pk, added.pk)
    assert event.additional["kind"] == "school"
    assert tag_label(AuditTag.OrganisationCreated) == "Added an organisation to the directory"


def test_a_school_must_belong_to_a_local_authority_but_an_la_needs_none(world):
    client = signed_in(administrator(world))
    page = _add(world, client, local_authority="").content.decode()
    assert "Select the local authority the organisation belongs to" in page
    assert not Organisation.objects.filter(code="URN-777001").exists()
    _add(world, client, kind="la", name="Westmere Council", code="LA-W", local_authority=str(world.south.pk))
    assert Organisation.objects.get(code="LA-W").local_authority is None


def test_a_code_already_in_use_is_refused(world):
    page = _add(world, signed_in(administrator(world)), code="gp-n").content.decode()
    assert "That code is already used by another organisation" in page
    assert "<title>Error: Add an organisation - ContactPoint</title>" in page


def test_working_hours_are_saved_and_used_by_the_out_of_hours_rule(world):
    from oversight.misuse import working_hours

    client = signed_in(administrator(world))
    gp = world.north_gp
    data = organisation_form(
        world,
        kind="gp",
        name=gp.name,
        code=gp.code,
        working_hours_start="8:00",
        working_hours_end="18.30",
    )
    response = client.post(reverse("administration:organisation_edit", args=[gp.pk]), data)
    assert response.status_code == 302
    gp.refresh_from_db()
    assert (gp.working_hours_start, gp.working_hours_end) == (time(8, 0), time(18, 30))
    hours = working_hours(gp)
    assert (hours.start, hours.end) == (time(8, 0), time(18, 30))
    event = AuditEvent.objects.get(tag=AuditTag.OrganisationUpdated)
    assert event.additional["organisation_id"] == gp.pk
    assert "working_hours_start" in event.additional["changed"]
    assert "08:00 to 18:30, every day" in client.get(response["Location"]).content.decode()


def test_working_hours_that_end_before_they_start_are_refused_in_govuk_words(world):
    client = signed_in(administrator(world))
    gp = world.north_gp
    path = reverse("administration:organisation_edit", args=[gp.pk])
    base = organisation_form(world, kind="gp", name=gp.name, code=gp.code)
    page = client.post(
        path, {**base, "working_hours_start": "18:00", "working_hours_end": "09:00"}
    ).content.decode()
    assert "The end time must be after the start time" in page
    assert page.count("govuk-error-summary") >= 1
    page = client.post(path, {**base, "working_hours_start": "9am", "working_hours_end": ""}).content.decode()
    assert "Enter a start time in the 24-hour clock, like 08:00" in page
    assert "Enter an end time, or remove the start time" in page
    gp.refresh_from_db()
    assert gp.working_hours_start is None
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()


def test_hours_said_to_run_past_midnight_may_end_before_they_start(world):
    client = signed_in(administrator(world))
    team = world.north_social_care
    data = organisation_form(
        world,
        kind="social_care",
        name=team.name,
        code=team.code,
        working_hours_start="19:00",
        working_hours_end="07:00",
        past_midnight="on",
    )
    client.post(reverse("administration:organisation_edit", args=[team.pk]), data)
    team.refresh_from_db()
    assert (team.working_hours_start, team.working_hours_end) == (time(19, 0), time(7, 0))


def test_the_edit_page_starts_from_the_current_details(world):
    client = signed_in(administrator(world))
    world.north_gp.working_hours_start, world.north_gp.working_hours_end = time(8, 0), time(18, 0)
    world.north_gp.save()
    page = rendered(
        client.get(reverse("administration:organisation_edit", args=[world.north_gp.pk])),
        heading="Change North Road Surgery",
    )
    assert 'value="08:00"' in page and 'value="18:00"' in page and 'value="GP-N"' in page


def test_saving_without_a_change_writes_no_event(world):
    client = signed_in(administrator(world))
    gp = world.north_gp
    data = organisation_form(
        world,
        kind="gp",
        name=gp.name,
        code=gp.code,
        address="",
        phone=gp.phone,
        email=gp.email,
        accredited_day="1",
        accredited_month="1",
        accredited_year="2020",
    )
    client.post(reverse("administration:organisation_edit", args=[gp.pk]), data)
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()


def test_closing_asks_first_and_says_what_it_touches(world, child):
    from children.records import InvolvementDetails
    from children.services import involvement_record

    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk),
    )
    client = signed_in(administrator(world))
    org = world.north_social_care
    unconfirmed = client.post(reverse("administration:organisation_close", args=[org.pk]))
    assert unconfirmed["Location"] == reverse("administration:organisation", args=[org.pk]) + "?confirm=close"
    org.refresh_from_db()
    assert org.closed_on is None
    page = rendered(
        client.get(unconfirmed["Location"]),
        heading="Are you sure you want to close Northshire Children's Services?",
    )
    assert "3 active accounts will no longer be able to use ContactPoint" in page  # alice, sam, tom
    assert "1 current involvement recorded by its staff stays on children's records" in page
    assert "Amelia" not in page and "Thornton" not in page


def test_closing_keeps_the_organisation_its_accounts_and_their_involvements(world, child):
    from children.models import Involvement
    from children.records import InvolvementDetails
    from children.services import involvement_record

    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk),
    )
    client = signed_in(administrator(world))
    org = world.north_social_care
    response = client.post(reverse("administration:organisation_close", args=[org.pk]), {"confirmed": "yes"})
    org.refresh_from_db()
    assert org.closed_on == timezone.localdate()
    assert Organisation.objects.filter(pk=org.pk).exists()
    assert Involvement.objects.filter(recorded_by=world.alice, ceased=False).count() == 1
    world.alice.refresh_from_db()
    assert world.alice.is_active
    page = client.get(response["Location"]).content.decode()
    assert "Closed</strong> since" in page and "Close organisation" not in page
    event = AuditEvent.objects.get(tag=AuditTag.OrganisationClosed)
    assert (event.additional["organisation_id"], event.additional["active_accounts"]) == (org.pk, 3)
    assert tag_label(AuditTag.OrganisationClosed) == "Closed an organisation"


def test_staff_of_a_closed_organisation_are_refused(world):
    from accounts.directory import organisation_close

    organisation_close(organisation=world.north_social_care, by=administrator(world))
    response = signed_in(world.alice).get(reverse("children:search"))
    assert response.status_code == 403
    assert "Your organisation has been closed on ContactPoint" in response.content.decode()


def test_a_closed_organisation_is_not_offered_for_invitations(world):
    from accounts.directory import organisation_close
    from team.forms import InviteForm

    organisation_close(organisation=world.north_gp, by=administrator(world))
    offered = InviteForm(local_authority_id=world.north.pk).organisations
    assert str(world.north_gp.pk) not in offered
    assert str(world.north_social_care.pk) in offered


def test_closing_a_closed_organisation_again_changes_nothing(world):
    from accounts.directory import organisation_close

    admin = administrator(world)
    organisation_close(organisation=world.north_gp, by=admin)
    signed_in(admin).post(
        reverse("administration:organisation_close", args=[world.north_gp.pk]), {"confirmed": "yes"}
    )
    assert AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed).count() == 1


def test_a_local_authority_cannot_become_another_kind_nor_another_kind_an_la(world):
    client = signed_in(administrator(world))
    north = world.north
    data = organisation_form(world, kind="school", name=north.name, code=north.code)
    page = client.post(reverse("administration:organisation_edit", args=[north.pk]), data).content.decode()
    assert "A local authority cannot become another kind of organisation" in page
    gp = world.north_gp
    data = organisation_form(world, kind="la", name=gp.name, code=gp.code)
    page = client.post(reverse("administration:organisation_edit", args=[gp.pk]), data).content.decode()
    assert "nor another kind a local authority" in page
    north.refresh_from_db()
    gp.refresh_from_db()
    assert (north.kind, gp.kind) == ("la", "gp")


def test_an_unknown_kind_in_the_filter_is_an_error_in_govuk_words(world):
    page = signed_in(administrator(world)).get(reverse("administration:organisations"), {"kind": "castle"})
    text = page.content.decode()
    assert "<title>Error: Organisations - ContactPoint</title>" in text
    assert "Select a kind of organisation from the list" in text


def test_the_database_refuses_a_code_differing_only_in_letter_case(world):
    """The form compares codes ignoring case; a write that passed it at the same moment as another (or any
    other way in) is refused by the database too, and told as "code taken", not a server error."""
    existing = world.north_gp.code
    details = OrganisationDetails(
        kind="gp",
        name="Case Twin Surgery",
        code=existing.swapcase(),
        local_authority=world.north,
        address="",
        phone="",
        email="",
        accredited_on=None,
        working_hours_start=None,
        working_hours_end=None,
    )
    with pytest.raises(OrganisationCodeTaken):
        organisation_create(by=administrator(world), details=details)
    assert Organisation.objects.filter(code__iexact=existing).count() == 1
