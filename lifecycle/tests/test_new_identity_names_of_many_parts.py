"""A new identity's names have at most as many parts as a feed's names (`children.text.NAME_PARTS_MOST`).

Every key a record is filed under is an advisory lock its shield, transfer or merge takes
(`children.key_locks`), and keys pair the parts of the given and family names: a name of very many parts
took more locks than PostgreSQL's lock table holds, a server error at every later write to that child.
The new-identity form took any number of parts; it now refuses more in words, and nothing is closed or
created.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from children.selectors import child_details
from children.text import NAME_PARTS_MOST
from lifecycle.identity import new_identity_create
from lifecycle.tests.test_move_forms_refuse_invisible_characters import NEW_IDENTITY
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child
from vault.sealing import Sealer

SEVEN_GIVEN = "Maria del Carmen Rosa Ana Luz Sol"
SEVEN_FAMILY = "Garcia de la Cruz y de Santos"
SIX_GIVEN = "Maria del Carmen Rosa Ana Luz"
SIX_FAMILY = "Garcia de la Fuente-Lopez Ortiz"  # a hyphen parts a name too: six


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [("given_names", SEVEN_GIVEN, "The given names"), ("family_name", SEVEN_FAMILY, "The family name")],
)
def test_a_new_identity_with_a_name_of_too_many_parts_is_refused_in_words_and_nothing_is_written(
    world, field, value, label
):
    old = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:new_identity", args=[old.pk]), {**NEW_IDENTITY, field: value}
    )
    page = rendered(response, heading="Create a new identity for this child")
    assert f"{label} must be {NAME_PARTS_MOST} parts or fewer" in page
    assert Child.objects.get(pk=old.pk).status == RecordStatus.ACTIVE
    assert list(Child.objects.values_list("pk", flat=True)) == [old.pk]
    assert not AuditEvent.objects.filter(tag=AuditTag.ChildClosed).exists()


def test_a_new_identity_with_names_of_as_many_parts_as_allowed_is_created(world):
    old = make_child(world)
    response = signed_in(world.lena).post(
        reverse("moves:new_identity", args=[old.pk]),
        {**NEW_IDENTITY, "given_names": SIX_GIVEN, "family_name": SIX_FAMILY},
    )
    assert response.status_code == 302
    assert Child.objects.get(pk=old.pk).status == RecordStatus.CLOSED
    (new,) = Child.objects.exclude(pk=old.pk)
    details = child_details(new, Sealer(new.data_key))
    assert (details.given_names, details.family_name) == (SIX_GIVEN, SIX_FAMILY)


def test_the_service_refuses_a_name_of_too_many_parts_however_it_is_called(world):
    old = make_child(world)
    details = child_details(old, Sealer(old.data_key))
    details.given_names = SEVEN_GIVEN
    with pytest.raises(ValueError, match="parts"):
        new_identity_create(old=old, by=world.lena, category="protection", details=details, shielded=False)
    assert Child.objects.get(pk=old.pk).status == RecordStatus.ACTIVE
    assert Child.objects.count() == 1
