"""A sensitive service's involvement is recorded only with consent or on reasonable cause to suspect
significant harm (domain.md, "What a child record holds"): the recording page asks which, the service
refuses one without it, the basis is sealed with the involvement and audited, the LA team reads it in
words on the record, and it never reaches anyone else (ordinary practitioners, the family's copy)."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import OrganisationKind, Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Involvement
from children.records import InvolvementDetails, RecordingBasis, SensitiveCategory
from children.selectors import involvement_details
from children.services import RecordingBasisMissing, involvement_record, recording_sensitive
from linkage.merging import child_merge, child_unmerge
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered
from tests.personas import _org, make_child, make_user

QUESTION = "On what basis are you recording this involvement?"
CONSENT = "The young person (or a parent or carer, for a younger child) has given consent"
HARM = "There is reasonable cause to suspect the child is suffering, or is likely to suffer, significant harm"
MISSING = "Select the basis for recording this involvement"
BY_CONSENT = "Recorded with consent"
BY_HARM = "Recorded on reasonable cause to suspect significant harm"
NOT_ASKED = "Basis not recorded"
WORDS = (QUESTION, CONSENT, HARM, BY_CONSENT, BY_HARM, NOT_ASKED, "significant harm", "significant_harm")

PAGE = {
    "role": "Sexual health nurse",
    "phone": "0113 496 0000",
    "email": "nina@example.org",
    "start_day": "1",
    "start_month": "2",
    "start_year": "2025",
}


@pytest.fixture
def clinic(world):
    return _org(
        OrganisationKind.SENSITIVE, "Northshire Young People's Sexual Health Clinic", "SXH-N", world.north
    )


@pytest.fixture
def nurse(clinic):
    return make_user("nina", clinic, Role.PRACTITIONER)


def _page(user, child):
    client = signed_in(user)
    state_purpose(client, child)
    return client


def _recorded(child, by):
    return Involvement.objects.filter(child=child, recorded_by=by)


def _details(organisation_id, basis=None, **kwargs):
    return InvolvementDetails(
        "Synthetic Nurse",
        "Sexual health nurse",
        organisation_id,
        started_on=date(2025, 2, 1),
        recording_basis=basis,
        **kwargs,
    )


# The page


def test_a_sensitive_services_page_asks_the_basis_as_radios(world, nurse):
    child = make_child(world)
    page = rendered(
        _page(nurse, child).get(reverse("children:involvement_new", args=[child.pk])),
        heading="Record your involvement",
    )
    assert QUESTION in page and CONSENT in page and HARM in page
    assert 'name="recording_basis" type="radio" value="consent"' in page
    assert 'name="recording_basis" type="radio" value="significant_harm"' in page


def test_a_sensitive_service_cannot_record_without_a_basis(world, nurse):
    child = make_child(world)
    response = _page(nurse, child).post(reverse("children:involvement_new", args=[child.pk]), PAGE)
    assert response.status_code == 200
    assert MISSING in response.content.decode()
    assert not _recorded(child, nurse).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()


def test_a_sensitive_service_cannot_record_with_a_basis_not_offered(world, nurse):
    child = make_child(world)
    response = _page(nurse, child).post(
        reverse("children:involvement_new", args=[child.pk]), {**PAGE, "recording_basis": "because"}
    )
    assert response.status_code == 200
    assert MISSING in response.content.decode()
    assert not _recorded(child, nurse).exists()


@pytest.mark.parametrize("basis", [RecordingBasis.CONSENT, RecordingBasis.SIGNIFICANT_HARM])
def test_a_sensitive_service_records_with_a_basis_sealed_and_audited(world, nurse, basis):
    child = make_child(world)
    response = _page(nurse, child).post(
        reverse("children:involvement_new", args=[child.pk]), {**PAGE, "recording_basis": basis}
    )
    assert response.status_code == 302
    involvement = _recorded(child, nurse).get()
    assert basis.encode() not in bytes(involvement.recording_basis)  # sealed, not in clear
    details = involvement_details(involvement)
    assert details.recording_basis == basis
    assert details.sensitive_category == SensitiveCategory.UNSTATED
    # Not in the ledger (append-only, outliving the record and its key): only that it was recorded.
    event = AuditEvent.objects.get(tag=AuditTag.InvolvementRecorded)
    assert "basis" not in event.additional and basis not in str(event.additional)


def test_an_ordinary_service_is_not_asked_and_its_audit_carries_no_basis(world):
    child = make_child(world)
    client = _page(world.alice, child)
    page = rendered(
        client.get(reverse("children:involvement_new", args=[child.pk])), heading="Record your involvement"
    )
    assert "recording_basis" not in page and QUESTION not in page
    response = client.post(
        reverse("children:involvement_new", args=[child.pk]),
        {**PAGE, "role": "Social worker", "recording_basis": RecordingBasis.SIGNIFICANT_HARM},
    )
    assert response.status_code == 302
    details = involvement_details(_recorded(child, world.alice).get())
    assert details.recording_basis is None and details.sensitive_category is None
    assert "basis" not in AuditEvent.objects.get(tag=AuditTag.InvolvementRecorded).additional


# The service


def test_the_service_refuses_a_sensitive_services_involvement_without_a_basis(world, clinic, nurse):
    child = make_child(world)
    with pytest.raises(RecordingBasisMissing):
        involvement_record(child=child, by=nurse, details=_details(clinic.pk))
    with pytest.raises(RecordingBasisMissing):
        involvement_record(child=child, by=nurse, details=_details(clinic.pk, basis="because"))
    assert not Involvement.objects.filter(child=child).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()


def test_the_service_refuses_a_sensitive_services_staff_recording_for_another_organisation(world, nurse):
    """The recorder's organisation decides as well as the one recorded for (one function for both)."""
    child = make_child(world)
    assert recording_sensitive(by=nurse, organisation_id=world.north_social_care.pk)
    assert not recording_sensitive(by=world.alice, organisation_id=world.north_social_care.pk)
    with pytest.raises(RecordingBasisMissing):
        involvement_record(child=child, by=nurse, details=_details(world.north_social_care.pk))
    assert not Involvement.objects.filter(child=child).exists()
    involvement = involvement_record(
        child=child,
        by=nurse,
        details=_details(world.north_social_care.pk, basis=RecordingBasis.CONSENT),
    )
    details = involvement_details(involvement)
    assert details.recording_basis == RecordingBasis.CONSENT
    assert details.sensitive_category == SensitiveCategory.UNSTATED  # hidden as its recorder's service is


def test_an_ordinary_involvement_keeps_no_basis_even_if_given_one(world):
    child = make_child(world)
    involvement = involvement_record(
        child=child,
        by=world.alice,
        details=_details(world.north_social_care.pk, basis=RecordingBasis.SIGNIFICANT_HARM),
    )
    assert involvement_details(involvement).recording_basis is None
    assert "basis" not in AuditEvent.objects.get(tag=AuditTag.InvolvementRecorded).additional


# Rows written before the question was asked


def _written_before(involvement):
    Involvement.objects.filter(pk=involvement.pk).update(recording_basis=None)
    return Involvement.objects.select_related("child__data_key").get(pk=involvement.pk)


def test_a_row_written_before_reads_as_no_basis(world, clinic, nurse):
    child = make_child(world)
    involvement = involvement_record(
        child=child, by=nurse, details=_details(clinic.pk, basis=RecordingBasis.CONSENT)
    )
    assert involvement_details(_written_before(involvement)).recording_basis is None


def test_a_row_written_before_moves_with_a_merge_and_back_with_its_unmerge_as_no_basis(world, clinic, nurse):
    """Nothing is back-filled: a merge unsealed every column and stopped at the NULL one; it moves as NULL."""
    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement = _written_before(
        involvement_record(
            child=duplicate, by=nurse, details=_details(clinic.pk, basis=RecordingBasis.CONSENT)
        )
    )
    assert involvement.recording_basis is None
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    moved = Involvement.objects.select_related("child__data_key").get(pk=involvement.pk)
    assert moved.child_id == survivor.pk and moved.recording_basis is None
    assert involvement_details(moved).recording_basis is None
    child_unmerge(merge=merge, by=world.lena, reason="two children")
    back = Involvement.objects.select_related("child__data_key").get(pk=involvement.pk)
    assert back.child_id != survivor.pk and involvement_details(back).recording_basis is None


# Who reads it


def _team_page(world, child):
    client = _page(world.lena, child)
    return client.get(reverse("children:record", args=[child.pk])).content.decode()


def test_the_la_team_reads_the_basis_in_words_on_the_record(world, clinic, nurse):
    child = make_child(world)
    consented = involvement_record(
        child=child, by=nurse, details=_details(clinic.pk, basis=RecordingBasis.CONSENT)
    )
    page = _team_page(world, child)
    assert BY_CONSENT in page and BY_HARM not in page
    other = make_user("nora", clinic, Role.PRACTITIONER)
    involvement_record(
        child=child,
        by=other,
        details=_details(clinic.pk, basis=RecordingBasis.SIGNIFICANT_HARM),
    )
    assert BY_HARM in _team_page(world, child)
    _written_before(consented)
    page = _team_page(world, child)
    assert NOT_ASKED in page and BY_HARM in page and BY_CONSENT not in page


def test_an_ordinary_involvement_shows_no_basis_to_the_team(world):
    child = make_child(world)
    involvement_record(child=child, by=world.alice, details=_details(world.north_social_care.pk))
    page = _team_page(world, child)
    assert not any(words in page for words in (BY_CONSENT, BY_HARM, NOT_ASKED))


def test_an_ordinary_practitioner_sees_nothing_of_it(world, clinic, nurse):
    child = make_child(world)
    involvement_record(
        child=child, by=nurse, details=_details(clinic.pk, basis=RecordingBasis.SIGNIFICANT_HARM)
    )
    page = rendered(
        _page(world.alice, child).get(reverse("children:record", args=[child.pk])), heading="Amelia Thornton"
    )
    assert "can broker contact" in page
    assert not any(words in page for words in (*WORDS, "Sexual health", "Synthetic Nurse"))


def test_a_significant_harm_basis_never_reaches_the_subject_access_report(world, clinic, nurse):
    child = make_child(world)
    involvement_record(
        child=child, by=nurse, details=_details(clinic.pk, basis=RecordingBasis.SIGNIFICANT_HARM)
    )
    request = {"identity_checked": "on", "reference": "SAR-2026-0042", "withhold_covert": "on"}
    team = signed_in(world.lena)
    screen = team.post(reverse("audit:subject_access", args=[child.pk]), request).content.decode()
    # Left out and counted for the LA team: the involvement, and its recording's entry.
    assert "1 sensitive service withheld" in screen and "1 entry about sensitive services withheld" in screen
    response = team.post(reverse("audit:subject_access_pdf", args=[child.pk]), request)
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).split()
    )
    assert "Record created" in text  # the report itself is there
    for words in (*WORDS, "Recorded an involvement"):
        assert words.casefold() not in text.casefold(), words
        assert words.casefold() not in screen.casefold(), words
    assert "Sexual Health Clinic" not in text and "Sexual Health Clinic" not in screen


def test_a_service_classed_sensitive_while_the_page_was_open_is_asked_not_recorded(world, nurse, monkeypatch):
    """The page judged the service ordinary (an administrator classed it sensitive a moment later): the
    service refuses, nothing is written, and the page asks the question it now must."""
    import children.views

    monkeypatch.setattr(children.views, "recording_sensitive", lambda **_: False)
    child = make_child(world)
    response = _page(nurse, child).post(reverse("children:involvement_new", args=[child.pk]), PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert QUESTION in page and MISSING in page
    assert not _recorded(child, nurse).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()


def test_the_forms_question_speaks_govuk(world):
    from children.forms import InvolvementForm

    answers = {**PAGE, "role": "Nurse"}
    assert "recording_basis" not in InvolvementForm(answers).fields
    form = InvolvementForm(answers, ask_basis=True)
    assert not form.is_valid() and form.errors["recording_basis"] == [MISSING]
    form = InvolvementForm({**answers, "recording_basis": "x" * 5000}, ask_basis=True)
    assert not form.is_valid() and form.errors["recording_basis"] == [MISSING]
    form = InvolvementForm({**answers, "recording_basis": RecordingBasis.CONSENT}, ask_basis=True)
    assert form.is_valid() and form.cleaned_data["recording_basis"] == RecordingBasis.CONSENT


@pytest.mark.django_db(transaction=True)
def test_the_migration_run_for_real_leaves_rows_written_before_readable_and_movable(world, clinic, nurse):
    """Back to 0008 (no column) and forward again, as a deployment runs it over rows already held."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    survivor = make_child(world)
    duplicate = make_child(world, family_name="Thorntone", given_names="Amelia-Rose", postcode="LS6 1AA")
    involvement = involvement_record(
        child=duplicate, by=nurse, details=_details(clinic.pk, basis=RecordingBasis.CONSENT)
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("children", "0008_retired_index_number")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    row = Involvement.objects.select_related("child__data_key").get(pk=involvement.pk)
    assert row.recording_basis is None  # NULL: nothing back-filled
    assert involvement_details(row).recording_basis is None
    child_merge(survivor=survivor, duplicate=duplicate, by=world.lena)
    moved = Involvement.objects.select_related("child__data_key").get(pk=involvement.pk)
    assert moved.child_id == survivor.pk and involvement_details(moved).recording_basis is None


def test_the_basis_is_not_in_the_printed_form_of_the_details():
    details = _details(1, basis=RecordingBasis.SIGNIFICANT_HARM)
    assert "significant_harm" not in repr(details) and "recording_basis" not in repr(details)


def test_a_service_classed_sensitive_after_the_services_first_look_writes_nothing(world, monkeypatch):
    """The service judged "a sensitive service's?" before its transaction: an administrator's edit
    committed in between wrote a sensitive service's involvement with no basis. It is judged again under
    the recorder's lock (their organisation held): nothing written, the page asks the question."""
    from children import services
    from children.services import RecordingBasisMissing

    child = make_child(world)
    first_look = services.recording_sensitive

    def classed_sensitive_meanwhile(**kwargs):
        answer = first_look(**kwargs)
        type(world.north_social_care).objects.filter(pk=world.north_social_care.pk).update(
            kind=OrganisationKind.SENSITIVE
        )
        return answer

    monkeypatch.setattr(services, "recording_sensitive", classed_sensitive_meanwhile)
    with pytest.raises(RecordingBasisMissing):
        services.involvement_record(child=child, by=world.alice, details=_details(world.north_social_care.pk))
    assert not Involvement.objects.filter(child=child).exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.InvolvementRecorded).exists()


def test_a_service_classed_sensitive_later_reads_basis_not_recorded_to_the_team(world):
    """Its earlier involvements were never asked (the service was not sensitive then): the label says only
    that there is none."""
    child = make_child(world)
    involvement_record(child=child, by=world.alice, details=_details(world.north_social_care.pk))
    type(world.north_social_care).objects.filter(pk=world.north_social_care.pk).update(
        kind=OrganisationKind.SENSITIVE
    )
    page = _team_page(world, child)
    assert "Sensitive service" in page and NOT_ASKED in page
    assert "before it was asked" not in page
