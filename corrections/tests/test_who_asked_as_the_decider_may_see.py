"""Who asked for a correction, told to the person deciding it only as far as they may see the record.

The queue and the decision page named the raiser and their organisation to whoever decides. The data
manager decides corrections too, but sees neither a shielded record's location (its school, its GP: the
policy keeps its location corrections from them for that reason) nor sensitive services (the LA team's
alone, `access.policy.visibility`). "Asked by: Tess Example, Northshire Primary School" on a shielded
child's name correction told them the school the child attends; "Asked by: ..., Northshire Sexual Health
Clinic" told them the child uses a sexual health service. Subject access made the same mistake and was
mended in session 24; the corrections pages were not.
"""

import pytest
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind
from corrections.fields import field_for
from corrections.services import correction_raise
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db


def _raised(child, by):
    return correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Seen the certificate", by=by
    )


def _clinic(world) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.SENSITIVE,
        name="Northshire Sexual Health Clinic",
        code="SH-N",
        local_authority=world.north,
        phone="0300 000 0001",
        email="sh-n@example.org",
        accredited_on=world.north.accredited_on,  # its nurse raises: staff of an accredited service only
    )


def _pages(client, correction) -> tuple[str, str]:
    queue = rendered(client.get(reverse("corrections:queue")), heading="Corrections waiting for a decision")
    decide = rendered(
        client.get(reverse("corrections:decide", args=[correction.pk])), heading="Decide a correction"
    )
    return queue, decide


def test_the_data_manager_is_not_told_a_shielded_childs_school_by_who_asked(world):
    child = make_child(world, shielded=True)  # at Northshire Primary School
    teacher = make_user("tess", world.north_school)
    correction = _raised(child, teacher)
    queue, decide = _pages(signed_in(world.dara), correction)
    for page in (queue, decide):
        assert "Northshire Primary School" not in page and "Tess" not in page
        assert "An educational setting" in page
    # The LA team sees the whole record, and who asked.
    queue, decide = _pages(signed_in(world.lena), correction)
    assert "Northshire Primary School" in queue
    assert "Tess Example, Northshire Primary School" in decide


def test_the_data_manager_is_not_told_a_sensitive_service_asked(world, child):
    nurse = make_user("nina", _clinic(world))
    correction = _raised(child, nurse)
    queue, decide = _pages(signed_in(world.dara), correction)
    for page in (queue, decide):
        assert "Sexual Health" not in page and "Nina" not in page
        assert "A health service" in page  # as any health service reads: nothing marks it out
    queue, decide = _pages(signed_in(world.lena), correction)
    assert "Nina Example, Northshire Sexual Health Clinic" in decide


def test_the_data_manager_is_told_the_kind_of_organisation_that_asked_whatever_the_record(world, child):
    """By kind for every correction, so a kind shown in place of a name marks nothing out."""
    correction = _raised(child, world.alice)
    queue, decide = _pages(signed_in(world.dara), correction)
    for page in (queue, decide):
        assert "Northshire Children&#x27;s Services" not in page and "Alice" not in page
        assert "A children&#x27;s social care service" in page
