from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from children.selectors import child_details, child_record
from tests.journeys import signed_in, state_purpose
from tests.personas import make_user

START = {"role": "Social worker", "phone": "0300 111 2222", "email": "alice@example.org"}


def _record(client, child, **dates):
    data = {**START, "start_day": "2", "start_month": "9", "start_year": "2024", **dates}
    return client.post(reverse("children:involvement_new", args=[child.pk]), data)


def test_a_practitioner_records_their_own_involvement(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = _record(client, child)
    assert response.status_code == 302
    view = child_record(child)
    [item] = view.involvements
    assert item.details.role == "Social worker"
    assert item.details.practitioner_name == "Alice Example"
    assert item.organisation == world.north_social_care
    assert str(item.details.started_on) == "2024-09-02"
    event = AuditEvent.objects.get(tag=AuditTag.InvolvementRecorded)
    assert event.child_id == child.pk and event.actor == world.alice


def test_involvement_needs_a_real_start_date(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = _record(client, child, start_day="31", start_month="2")
    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()
    assert not Involvement.objects.exists()


def test_involvement_pages_need_a_stated_purpose(world, child):
    client = signed_in(world.alice)
    response = _record(client, child)
    assert response.status_code == 302
    assert response["Location"] == reverse("children:purpose", args=[child.pk])
    assert not Involvement.objects.exists()


def test_a_practitioner_marks_their_involvement_ended(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    _record(client, child)
    involvement = Involvement.objects.get()
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    response = client.post(url, {"end_day": "1", "end_month": "3", "end_year": "2025"})
    assert response.status_code == 302
    involvement.refresh_from_db()
    assert involvement.ceased
    [item] = child_record(child).involvements
    assert str(item.details.ended_on) == "2025-03-01"
    assert AuditEvent.objects.filter(tag=AuditTag.InvolvementCeased, child_id=child.pk).count() == 1


def test_the_end_date_cannot_precede_the_start(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    _record(client, child)
    involvement = Involvement.objects.get()
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    response = client.post(url, {"end_day": "1", "end_month": "3", "end_year": "2023"})
    assert response.status_code == 200
    involvement.refresh_from_db()
    assert not involvement.ceased


def test_a_practitioner_cannot_end_someone_elses_involvement(world, child):
    alice = signed_in(world.alice)
    state_purpose(alice, child)
    _record(alice, child)
    involvement = Involvement.objects.get()
    bob = signed_in(world.bob)
    state_purpose(bob, child)
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    response = bob.post(url, {"end_day": "1", "end_month": "3", "end_year": "2025"})
    assert response.status_code == 403
    involvement.refresh_from_db()
    assert not involvement.ceased
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.bob).exists()


def test_an_involved_practitioner_sets_the_lead_professional_and_caf(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    _record(client, child)
    involvement = Involvement.objects.get()
    response = client.post(
        reverse("children:lead_professional", args=[child.pk]), {"involvement": str(involvement.pk)}
    )
    assert response.status_code == 302
    response = client.post(reverse("children:caf", args=[child.pk]), {"caf_completed": "yes"})
    assert response.status_code == 302
    child.refresh_from_db()
    details = child_details(child)
    assert details.lead_professional_id == str(involvement.pk)
    assert details.caf_completed is True
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).count() == 1
    assert AuditEvent.objects.filter(tag=AuditTag.CafFlagSet).count() == 1


def test_ending_the_lead_professionals_involvement_clears_the_lead(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    _record(client, child)
    involvement = Involvement.objects.get()
    client.post(reverse("children:lead_professional", args=[child.pk]), {"involvement": str(involvement.pk)})
    url = reverse("children:involvement_end", args=[child.pk, involvement.pk])
    client.post(url, {"end_day": "1", "end_month": "3", "end_year": "2025"})
    child.refresh_from_db()
    assert child_details(child).lead_professional_id is None


def test_an_uninvolved_practitioner_cannot_set_caf(world, child):
    client = signed_in(world.bob)
    state_purpose(client, child)
    response = client.post(reverse("children:caf", args=[child.pk]), {"caf_completed": "yes"})
    assert response.status_code == 403
    child.refresh_from_db()
    assert child_details(child).caf_completed is False


def test_a_practitioner_cannot_record_involvement_with_a_shielded_child(world, shielded_child):
    client = signed_in(world.alice)
    state_purpose(client, shielded_child)
    response = _record(client, shielded_child)
    assert response.status_code == 403
    assert not Involvement.objects.exists()


def test_naming_as_lead_an_involvement_a_colleague_has_just_ended_says_so(world, child):
    """The page offered a colleague's involvement; it ended before the choice was posted. The answer says
    it has just ended, not "Select an answer" (which reads as if nothing had been chosen)."""
    carol = make_user("carol", world.north_social_care)
    naming, ending = signed_in(world.alice), signed_in(carol)
    for client in (naming, ending):
        state_purpose(client, child)
        _record(client, child)
    carols = Involvement.objects.get(recorded_by=carol)
    ending.post(
        reverse("children:involvement_end", args=[child.pk, carols.pk]),
        {"end_day": "1", "end_month": "3", "end_year": "2025"},
    )
    page = naming.post(
        reverse("children:lead_professional", args=[child.pk]), {"involvement": str(carols.pk)}
    ).content.decode()
    assert "That involvement has just ended: select another lead professional" in page
    assert child_details(child).lead_professional_id is None
