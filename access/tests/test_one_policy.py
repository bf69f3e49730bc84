"""Rules that used to live in views now live in the policy: each is tested here and through its page."""

from datetime import date

import pytest
from django.urls import reverse

from access.http import Refused, require
from access.permissions import Permission
from access.policy import (
    SUBJECT_ACCESS_VISIBILITY,
    decide,
    override_visibility,
    visibility,
    visible_involvements,
)
from accounts.models import Organisation, OrganisationKind, Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import InvolvementDetails, SensitiveCategory
from children.selectors import child_record
from children.services import involvement_record
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in, state_purpose
from tests.personas import make_user

SENSITIVE_NAME = "Clinic Nurse Quillon"


def _sensitive_by(world, child, practitioner):
    return involvement_record(
        child=child,
        by=practitioner,
        details=InvolvementDetails(
            practitioner_name=SENSITIVE_NAME,
            role="Nurse",
            organisation_id=practitioner.organisation_id,
            sensitive_category=SensitiveCategory.MENTAL_HEALTH,
        ),
    )


def _names(items):
    return {i.details.practitioner_name for i in items}


def test_a_sensitive_involvement_is_seen_by_its_own_recorder_and_the_la_team_only(world, child):
    _sensitive_by(world, child, world.bob)
    view = child_record(child)
    assert SENSITIVE_NAME in _names(
        visible_involvements(seen=visibility(actor=world.bob, child=child), involvements=view.involvements)
    )
    assert SENSITIVE_NAME in _names(
        visible_involvements(seen=visibility(actor=world.lena, child=child), involvements=view.involvements)
    )
    assert SENSITIVE_NAME not in _names(
        visible_involvements(seen=visibility(actor=world.alice, child=child), involvements=view.involvements)
    )


def test_subject_access_and_break_glass_never_include_sensitive_services(world, child):
    _sensitive_by(world, child, world.bob)
    view = child_record(child)
    assert not visible_involvements(seen=SUBJECT_ACCESS_VISIBILITY, involvements=view.involvements)
    assert not visible_involvements(
        seen=override_visibility(actor=world.olivia), involvements=view.involvements
    )


def test_break_glass_reveals_the_shielded_fields_but_no_source_identifiers(world):
    seen = override_visibility(actor=world.olivia)
    assert seen.full
    assert not seen.sensitive_services
    assert seen.source_issuer_ids == frozenset()


def test_the_lead_professional_page_offers_the_recorders_own_sensitive_involvement(world, child):
    """The record page and the lead-professional page apply the same filter (they once disagreed)."""
    _sensitive_by(world, child, world.bob)
    client = signed_in(world.bob)
    state_purpose(client, child)
    record_page = client.get(reverse("children:record", args=[child.pk]))
    lead_page = client.get(reverse("children:lead_professional", args=[child.pk]))
    assert record_page.status_code == lead_page.status_code == 200
    assert "Who is the lead professional?" in lead_page.content.decode()
    assert SENSITIVE_NAME in record_page.content.decode()
    assert SENSITIVE_NAME in lead_page.content.decode()


def test_another_practitioner_is_never_offered_someone_elses_sensitive_involvement(world, child):
    _sensitive_by(world, child, world.bob)
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.north_social_care.pk,
        ),
    )
    client = signed_in(world.alice)
    state_purpose(client, child)
    lead_page = client.get(reverse("children:lead_professional", args=[child.pk]))
    assert lead_page.status_code == 200
    assert "Alice Example" in lead_page.content.decode()
    assert SENSITIVE_NAME not in lead_page.content.decode()


def test_an_alert_of_another_la_is_refused_by_the_policy(world):
    alert = Alert.objects.create(
        local_authority=world.south, kind=AlertKind.BULK_VIEWING, raised_by=world.bob
    )
    decision = decide(actor=world.lena, action=Permission.AlertAcknowledge, alert=alert)
    assert not decision
    assert decision.reason == "other_la"
    own = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    assert decide(actor=world.lena, action=Permission.AlertAcknowledge, alert=own)


def test_an_alert_about_the_team_member_themselves_is_for_a_colleague_to_acknowledge(world):
    about_lena = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.OWN_SURNAME_SEARCH, raised_by=world.lena
    )
    decision = decide(actor=world.lena, action=Permission.AlertAcknowledge, alert=about_lena)
    assert not decision
    assert decision.reason == "own_alert"
    assert "Ask a colleague" in decision.message
    colleague = make_user("lorna", world.north, Role.LA_TEAM)
    assert decide(actor=colleague, action=Permission.AlertAcknowledge, alert=about_lena)


@pytest.mark.parametrize(
    "action", [Permission.AccountManage, Permission.AlertView, Permission.AlertAcknowledge]
)
def test_an_la_team_member_without_a_home_la_is_refused_la_scoped_work(world, action):
    national = Organisation.objects.create(
        kind=OrganisationKind.POLICE, name="A national body", code="NAT1", accredited_on=date(2020, 1, 1)
    )
    adrift = make_user("adrift", national, "la_team")
    assert adrift.home_la_id is None
    decision = decide(actor=adrift, action=action)
    assert not decision
    assert decision.reason == "no_organisation"
    assert decide(actor=world.lena, action=action)


def test_require_raises_refused_with_the_reason_and_the_page_is_audited(world, child):
    with pytest.raises(Refused) as raised:
        require(actor=world.nadia, action=Permission.ChildSearch)
    assert raised.value.decision.reason == "role_not_permitted"

    response = signed_in(world.nadia).get(reverse("children:search"))
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()
    denied = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.nadia).get()
    assert denied.additional["reason"] == "role_not_permitted"
