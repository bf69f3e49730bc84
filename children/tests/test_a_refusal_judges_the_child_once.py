"""A refusal on a record page reads the child once and asks once whether the person may identify it.

The page's own check (`access.http.refused_unless`) already loaded the child and asked
`access.policy.child_known`; the refusal page (`access.http.denied`) loaded the child again and asked
again (session 37's leftover). The refusal now carries what the page judged, so the answer is one
judgement, made once, on the record as the page read it.
"""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import access.policy
import children.views
from children.models import Child
from tests.journeys import involved, signed_in, state_purpose
from tests.other_la import main_of, reason_of


def test_a_refusal_reads_the_child_once_and_judges_whether_it_may_be_identified_once(world, shielded_child):
    client = signed_in(world.bob)  # a GP in another LA: never searched, never involved
    state_purpose(client, shielded_child)
    judged = mock.Mock(wraps=access.policy.child_known)
    with (
        mock.patch.object(access.policy, "child_known", judged),
        mock.patch.object(children.views, "child_known", judged),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(reverse("children:caf", args=[shielded_child.pk]))
    assert response.status_code == 403 and reason_of(response) == "not_found_by_search"
    child_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].upper().startswith("SELECT") and 'FROM "CHILDREN_CHILD"' in q["sql"].upper()
    ]
    assert len(child_reads) == 1
    assert judged.call_count == 1


def test_a_refusal_to_whoever_may_identify_the_child_still_says_why_having_judged_once(world, child):
    involved(world.alice, child)
    Child.objects.filter(pk=child.pk).update(shielded=True)
    client = signed_in(world.alice)
    judged = mock.Mock(wraps=access.policy.child_known)
    with (
        mock.patch.object(access.policy, "child_known", judged),
        mock.patch.object(children.views, "child_known", judged),
    ):
        response = client.get(reverse("children:caf", args=[child.pk]))
    assert response.status_code == 403 and reason_of(response) == "shielded"
    assert "This record is shielded" in main_of(response)
    assert judged.call_count == 1
