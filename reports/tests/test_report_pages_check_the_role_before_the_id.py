"""A person whose role may not read audit reports or produce subject access reports learns nothing from a
child's id: not whether it exists, not which local authority holds the record.

The pages check the role first (`access.http.refusal` without the child), then look the child up, then
judge the record. Looked up first, a missing id answered 404 and an existing one the refusal page naming
the LA holding the child: an id oracle for a data manager or an administrator, who cannot search.
"""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from tests.journeys import signed_in
from tests.other_la import east_child as _east_child
from tests.other_la import main_of, reason_of, says_nothing_of
from tests.other_la import persona as _persona
from tests.personas import World

NOT_FOR_REPORTS = ["alice", "bob", "olivia", "dara", "ada"]  # practitioners, data manager, administrator
NOT_FOR_SUBJECT_ACCESS = [*NOT_FOR_REPORTS, "nadia"]  # the national auditor reads reports, produces none


def _same_refusal(real, made_up, child: Child, world: World) -> None:
    says_nothing_of(main_of(real), child)
    assert (real.status_code, made_up.status_code) == (403, 403)
    assert reason_of(real) == reason_of(made_up) == "role_not_permitted"
    assert main_of(real) == main_of(made_up)


@pytest.mark.parametrize("persona", NOT_FOR_REPORTS)
def test_a_childs_access_report_by_id_tells_a_wrong_role_nothing(world, persona):
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    real = client.get(reverse("audit:child_access", args=[child.pk]))
    made_up = client.get(reverse("audit:child_access", args=[uuid.uuid4()]))
    _same_refusal(real, made_up, child, world)


@pytest.mark.parametrize("persona", NOT_FOR_REPORTS)
def test_a_childs_summary_export_by_id_tells_a_wrong_role_nothing(world, persona):
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    real = client.get(reverse("audit:export"), {"report": "child", "child": str(child.pk)})
    made_up = client.get(reverse("audit:export"), {"report": "child", "child": str(uuid.uuid4())})
    _same_refusal(real, made_up, child, world)


@pytest.mark.parametrize("persona", NOT_FOR_REPORTS)
def test_a_users_activity_by_id_tells_a_wrong_role_nothing(world, persona):
    client = signed_in(_persona(world, persona))
    real = client.get(reverse("audit:user_activity", args=[world.bob.pk]))
    made_up = client.get(reverse("audit:user_activity", args=[10**9]))
    assert (real.status_code, made_up.status_code) == (403, 403)
    assert main_of(real) == main_of(made_up)
    assert world.bob.get_full_name() not in main_of(real)


@pytest.mark.parametrize("persona", NOT_FOR_SUBJECT_ACCESS)
def test_a_subject_access_request_by_id_tells_a_wrong_role_nothing(world, persona):
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    real = client.get(reverse("audit:subject_access", args=[child.pk]))
    made_up = client.get(reverse("audit:subject_access", args=[uuid.uuid4()]))
    _same_refusal(real, made_up, child, world)


@pytest.mark.parametrize("persona", NOT_FOR_SUBJECT_ACCESS)
def test_a_subject_access_download_by_id_tells_a_wrong_role_nothing(world, persona):
    child = _east_child(world)
    client = signed_in(_persona(world, persona))
    form = {"reference": "SAR-2026-001", "withhold_covert": "no"}
    real = client.post(reverse("audit:subject_access_pdf", args=[child.pk]), form)
    made_up = client.post(reverse("audit:subject_access_pdf", args=[uuid.uuid4()]), form)
    _same_refusal(real, made_up, child, world)
    assert not AuditEvent.objects.filter(tag=AuditTag.SubjectAccessProduced).exists()


def test_the_refusal_by_role_is_audited_without_naming_a_child(world):
    """Refused on the role, the event records who and what action, not an id the person typed."""
    child = _east_child(world)
    signed_in(world.dara).get(reverse("audit:child_access", args=[child.pk]))
    event = AuditEvent.objects.filter(tag=AuditTag.AccessDenied).get()
    assert event.additional["reason"] == "role_not_permitted"
    assert event.child_id is None
