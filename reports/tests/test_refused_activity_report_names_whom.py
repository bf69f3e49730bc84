"""A refused look at another LA's person's activity is audited with whose it was.

The `access:denied` event held only the action and the reason: an LA team member working through account
ids (they are numbered in order) left refusals naming nobody, while a refused child is filed under its id.
Now a refusal about an account carries `subject_id`, on the page and on the download alike.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in


def _last_refusal(world):
    return AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.lena).latest("id")


def test_a_refused_activity_page_of_another_las_person_names_them(world):
    response = signed_in(world.lena).get(reverse("audit:user_activity", args=[world.bob.pk]))
    assert response.status_code == 403
    assert "This belongs to another local authority." in response.content.decode()
    refusal = _last_refusal(world)
    assert refusal.additional["reason"] == "other_la"
    assert refusal.additional["subject_id"] == world.bob.pk


def test_a_refused_activity_download_of_another_las_person_names_them(world):
    response = signed_in(world.lena).get(reverse("audit:export"), {"report": "user", "user": world.bob.pk})
    assert response.status_code == 403
    refusal = _last_refusal(world)
    assert refusal.additional["reason"] == "other_la"
    assert refusal.additional["subject_id"] == world.bob.pk


def test_a_refusal_about_no_account_names_none(world, child):
    response = signed_in(world.alice).get(reverse("audit:child_access", args=[child.pk]))
    assert response.status_code == 403
    refusal = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor=world.alice).latest("id")
    assert "subject_id" not in refusal.additional
