"""The archive page by child id tells a data manager nothing about a record they may not open.

A data manager cannot search: the archive finder takes an exact index number and answers "not found" for
a number that is not their LA's archived record. The record page by id must answer the same way: another
LA's archived record and a live record (any LA's) get exactly the page a made-up id gets, so an id
(from a URL in a log, a letter or a colleague's history) does not tell them that the child exists,
whether the record is archived, or that another LA holds it.
"""

import re
import uuid
from datetime import date
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, OrganisationKind
from accounts.ratelimit import SEARCH_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from tests.journeys import signed_in
from tests.personas import World, make_child


def _east(world: World) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        code="LA-E",
        name="Eastmoor Council",
        phone="0300 000 0001",
        email="la-e@example.org",
        accredited_on=date(2020, 1, 1),
    )


def _main(response: Any) -> str:
    """The page's main content (the layout around it carries a fresh CSRF token per response)."""
    html = response.content.decode()
    found = re.search(r"<main.*?</main>", html, re.S)
    assert found is not None
    return found.group(0)


def _answer(client: Client, child_id: uuid.UUID, *, post: bool = False) -> tuple[int, str]:
    url = reverse("lifecycle:archived_record", args=[child_id])
    response = client.post(url, {"purpose": "subject_access"}) if post else client.get(url)
    return response.status_code, _main(response)


def test_another_las_archived_record_and_a_live_record_are_answered_as_a_made_up_id(world):
    east_archived = make_child(world, given_names="Noah", family_name="Begum", la=_east(world))
    Child.objects.filter(pk=east_archived.pk).update(status=RecordStatus.ARCHIVED)
    own_live = make_child(world, given_names="Ivy", family_name="Okafor", la=world.north)
    east_live = make_child(world, given_names="Ada", family_name="Begum", la=east_archived.local_authority)
    client = signed_in(world.dara)
    for post in (False, True):
        made_up = _answer(client, uuid.uuid4(), post=post)
        assert made_up[0] == 404
        for child in (east_archived, own_live, east_live):
            assert _answer(client, child.pk, post=post) == made_up
    assert AuditEvent.objects.filter(tag=AuditTag.ArchivedRecordViewed).count() == 0


def test_nothing_is_recorded_against_a_child_the_data_manager_was_told_nothing_about(world):
    """As the finder and a made-up id: no refusal names the child (its access report would otherwise
    show another LA's data manager holding its id)."""
    east_archived = make_child(world, given_names="Noah", family_name="Begum", la=_east(world))
    Child.objects.filter(pk=east_archived.pk).update(status=RecordStatus.ARCHIVED)
    signed_in(world.dara).get(reverse("lifecycle:archived_record", args=[east_archived.pk]))
    assert not AuditEvent.objects.filter(child_id=east_archived.pk, actor_id=world.dara.pk).exists()


def _tried(client: Client, user: Any, child_id: uuid.UUID) -> tuple[int, int, int, Any]:
    """The answer's status and query count, the look-ups counted against the search limit, and the refusal
    audited for one id tried on the archive page."""
    counted = SEARCH_USER.count(str(user.pk))
    with CaptureQueriesContext(connection) as queries:
        status = client.get(reverse("lifecycle:archived_record", args=[child_id])).status_code
    refused = AuditEvent.objects.filter(tag=AuditTag.AccessDenied, actor_id=user.pk).order_by("-pk").first()
    return status, len(queries.captured_queries), SEARCH_USER.count(str(user.pk)) - counted, refused


def test_an_id_the_data_manager_may_not_open_is_counted_and_audited_as_a_made_up_one(world):
    """Review (session 38's Left): the page answered a made-up id, and a record out of the data manager's
    scope, with a bare 404, unaudited and uncounted: ids could be tried there for free. Now each is one
    look-up against the search limit and one refusal audited as a made-up id's (naming no child, so that a
    real record's access report still shows nothing of a data manager told nothing), with the same work."""
    east_archived = make_child(world, given_names="Noah", family_name="Begum", la=_east(world))
    Child.objects.filter(pk=east_archived.pk).update(status=RecordStatus.ARCHIVED)
    own_live = make_child(world, given_names="Ivy", family_name="Okafor", la=world.north)
    client = signed_in(world.dara)
    client.get(reverse("lifecycle:archived_record", args=[uuid.uuid4()]))  # the first request warms caches
    made_up = _tried(client, world.dara, uuid.uuid4())
    for child in (east_archived, own_live):
        tried = _tried(client, world.dara, child.pk)
        assert tried[:3] == made_up[:3] == (404, made_up[1], 1)
        refused = tried[3]
        assert refused is not None and refused.child_id is None
        assert refused.additional["reason"] == "no_such_record"
        assert refused.additional["page"] == "lifecycle:archived_record"
