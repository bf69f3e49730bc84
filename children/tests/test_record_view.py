from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails, SensitiveCategory
from children.services import involvement_record
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered
from tests.personas import make_user


def test_it_asks_for_a_purpose_before_showing_a_record(world, child):
    client = signed_in(world.alice)
    response = client.get(reverse("children:record", args=[child.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("children:purpose", args=[child.pk])
    assert not AuditEvent.objects.filter(tag=AuditTag.RecordViewed).exists()


def test_it_requires_details_when_purpose_is_other(world, child):
    client = signed_in(world.alice)
    response = client.post(reverse("children:purpose", args=[child.pk]), {"purpose": "other", "detail": ""})
    assert response.status_code == 200
    assert "Enter details of why you are looking at this record" in response.content.decode()


def test_it_audits_each_view_with_its_purpose(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="safeguarding")
    response = client.get(reverse("children:record", args=[child.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(tag=AuditTag.RecordViewed)
    assert event.child_id == child.pk
    assert event.actor == world.alice
    assert event.additional["purpose"] == "safeguarding"
    assert event.additional["restricted_view"] is False


def test_it_seals_free_text_purpose_detail_in_the_audit_event(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child, purpose="other", detail="Referral from Canaryhurst nursery")
    client.get(reverse("children:record", args=[child.pk]))
    event = AuditEvent.objects.get(tag=AuditTag.RecordViewed)
    assert "Canaryhurst" not in str(event.additional)
    assert event.additional["purpose_detail_sealed"]


def test_it_shows_who_is_working_with_the_child(world, child):
    involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            practitioner_name="Bob Example", role="GP", organisation_id=world.south_gp.pk
        ),
    )
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = client.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Bob Example" in page
    assert "South Street Surgery" in page
    assert "Grace Thornton" in page
    assert "12 Quarry Lane" in page


def test_it_shows_only_restricted_fields_of_a_shielded_child(world, shielded_child):
    client = signed_in(world.alice)
    state_purpose(client, shielded_child)
    page = rendered(
        client.get(reverse("children:record", args=[shielded_child.pk])), heading="Jasmine Okafor"
    )
    assert "contact your local authority contactpoint team" in page.lower()
    for hidden in ("LS6 2QT", "Quarry Lane", "Grace Thornton", "07700 900123", "Northshire Primary"):
        assert hidden not in page
    event = AuditEvent.objects.get(tag=AuditTag.RecordViewed)
    assert event.additional["restricted_view"] is True


def test_it_shows_a_shielded_child_in_full_to_the_owning_la_team(world, shielded_child):
    client = signed_in(world.lena)
    state_purpose(client, shielded_child)
    page = client.get(reverse("children:record", args=[shielded_child.pk])).content.decode()
    assert "LS6 2QT" in page
    assert "Grace Thornton" in page


def test_it_hides_a_shielded_child_from_another_la_team(world, shielded_child):
    south_team = make_user("stella", world.south, "la_team")
    client = signed_in(south_team)
    state_purpose(client, shielded_child)
    page = rendered(
        client.get(reverse("children:record", args=[shielded_child.pk])), heading="Jasmine Okafor"
    )
    assert "contact your local authority contactpoint team" in page.lower()
    assert "LS6 2QT" not in page


def _sensitive(world, child):
    return involvement_record(
        child=child,
        by=world.bob,
        details=InvolvementDetails(
            practitioner_name="Sexual Health Nurse",
            role="Nurse",
            organisation_id=world.south_gp.pk,
            sensitive_category=SensitiveCategory.SEXUAL_HEALTH,
        ),
    )


def test_it_hides_sensitive_services_from_ordinary_practitioners(world, child):
    _sensitive(world, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    page = rendered(client.get(reverse("children:record", args=[child.pk])), heading="Amelia Thornton")
    assert "Sexual Health Nurse" not in page
    assert "can broker contact" in page


def test_it_shows_sensitive_services_to_the_owning_la_team(world, child):
    _sensitive(world, child)
    client = signed_in(world.lena)
    state_purpose(client, child)
    page = client.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Sexual Health Nurse" in page


def test_it_shows_source_identifiers_only_to_the_issuing_body(world, child):
    gp_staff = make_user("gina", world.north_gp)
    gp_client = signed_in(gp_staff)
    state_purpose(gp_client, child)
    assert "943 476 5919" in gp_client.get(reverse("children:record", args=[child.pk])).content.decode()

    client = signed_in(world.alice)
    state_purpose(client, child)
    page = rendered(client.get(reverse("children:record", args=[child.pk])), heading="Amelia Thornton")
    assert "943 476 5919" not in page


def test_it_marks_record_pages_no_store(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    response = client.get(reverse("children:record", args=[child.pk]))
    assert "no-store" in response["Cache-Control"]
