"""An archived record (the child turned 18, or died) is known (`access.policy.child_known`) to its LA team
and to a practitioner involved with the child alone, not to whoever a search once returned it to: a search
is of the living index, and a kept id must not tell that the child has since left it."""

import uuid
from datetime import date

from django.urls import reverse

from access.policy import child_known
from children.models import Child, RecordStatus
from children.records import InvolvementDetails
from children.search import SearchCriteria, child_search
from children.services import involvement_record
from tests.journeys import signed_in
from tests.other_la import main_of


def _archived(child: Child) -> Child:
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.ARCHIVED)
    return Child.objects.get(pk=child.pk)


def test_a_kept_id_found_by_an_old_search_answers_as_no_record_once_archived(world, child):
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=world.bob)
    assert child_known(actor=world.bob, child=child)
    _archived(child)
    client = signed_in(world.bob)
    response = client.get(reverse("children:record", args=[child.pk]))
    made_up = client.get(reverse("children:record", args=[uuid.uuid4()]))
    assert response.status_code == made_up.status_code == 404
    assert main_of(response) == main_of(made_up)


def test_an_archived_record_is_known_to_its_la_team_and_an_involved_practitioner(world, child):
    involvement_record(
        child=child,
        by=world.alice,
        details=InvolvementDetails(
            practitioner_name="Alice Example",
            role="Social worker",
            organisation_id=world.alice.organisation_id,
        ),
    )
    archived = _archived(child)
    assert child_known(actor=world.lena, child=archived)
    assert child_known(actor=world.alice, child=archived)
    assert not child_known(actor=world.bob, child=archived)
