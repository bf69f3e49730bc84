"""Database round trips of the busiest pages, pinned: a search (its POST and its results page) and a
record view. Every statement costs a round trip that, on a busy machine, waits for a CPU on both
sides (docs/BENCHMARKS.md, "Load"), so a change that adds one must change these numbers on purpose.

Run outside a test transaction (`transaction=True`), as in production, so that what is counted is
what a request sends: SQL statements, and transactions (each a BEGIN and a COMMIT round trip on
PostgreSQL), counted by the commits. Every control still runs in these requests: the session's idle
expiry, the user with organisation and second factor, the search limiter (Redis or the cache), the
search, its audit event and appearances, the misuse screen; for a view, the purpose, its audit event
and the viewing rules.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.home_postcode import home_postcode_token
from accounts.middleware import SEEN_KEY
from accounts.sessions import SessionStore
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert
from tests.journeys import signed_in, state_purpose
from tests.personas import make_child

CRITERIA = {"family_name": "Thornton", "dob_day": "4", "dob_month": "3", "dob_year": "2015"}
# Statements: session, user (+ organisation + confirmed device), the blocking keys of both tiers
# joined to the candidates' rows (one statement), then in one transaction: audit id, audit event, search appearances,
# the user's row locked (oversight.misuse._screening_lock: concurrent searches counted), misuse counts;
# and the session UPDATE keeping the outcome (its own statement, no transaction). On PostgreSQL the
# audit event and its search appearances are one statement (audit.services._insert_together).
SEARCH_POST_QUERIES = 8 if connection.vendor == "postgresql" else 9
# A search answered "refine your search": no search appearances, and the refined-search count rides
# in the misuse statement.
REFINED_SEARCH_POST_QUERIES = 8
# Session, user, the stored children, and the policy's "found by this person's search" check (one
# for all the children shown: access.policy.decide_many).
SEARCH_RESULTS_QUERIES = 4
# Session, user, child; carers, involvements, the organisations named, and the policy's "currently
# involved" check (one for the page's links to set the lead professional and the CAF:
# access.policy.decide_many); the child's row read again on the primary once those are read
# (children.views.unchanged_since_read: a merge or shield committed meanwhile is never shown in full on
# the state read before it); then in one transaction: audit id, audit event, the user's row locked
# (oversight.misuse._screening_lock: concurrent views counted), viewing rules' counts.
RECORD_VIEW_QUERIES = 12

pytestmark = pytest.mark.django_db(transaction=True)


class Sent:
    def __init__(self, captured: CaptureQueriesContext, commits: list[int]) -> None:
        self._captured, self._commits = captured, commits

    @property
    def statements(self) -> list[str]:
        # SQLite's BEGIN IMMEDIATE and COMMIT pass through the cursor, psycopg's do not: counted apart.
        return [
            query["sql"]
            for query in self._captured.captured_queries
            if not query["sql"].startswith(("BEGIN", "COMMIT"))
        ]

    @property
    def transactions(self) -> int:
        return len(self._commits)


@contextmanager
def sent() -> Iterator[Sent]:
    """What one request sends to the database: its statements, and its transactions (commits)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    commits: list[int] = []
    commit = wrapper.commit

    def counted_commit() -> None:
        commits.append(1)
        commit()

    wrapper.commit = counted_commit  # type: ignore[method-assign]
    try:
        with CaptureQueriesContext(wrapper) as captured:
            yield Sent(captured, commits)
    finally:
        del wrapper.commit


def test_a_search_and_its_results_page_send_a_fixed_number_of_statements(world, child):
    client = signed_in(world.alice)
    client.get(reverse("children:search"))  # the session's idle expiry renewed: not part of a search
    with sent() as post:
        response = client.post(reverse("children:search"), CRITERIA)
    assert response.status_code == 303
    assert len(post.statements) == SEARCH_POST_QUERIES, "\n".join(post.statements)
    assert post.transactions == 1
    with sent() as results:
        page = client.get(response["Location"]).content.decode()
    assert "Amelia Thornton" in page
    assert len(results.statements) == SEARCH_RESULTS_QUERIES, "\n".join(results.statements)
    assert results.transactions == 0
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed, actor=world.alice).count() == 1


def test_a_results_page_sends_as_many_statements_for_three_children_as_for_one(world, child):
    make_child(world, given_names="Amy")
    make_child(world, given_names="Ava")
    client = signed_in(world.alice)
    client.get(reverse("children:search"))
    response = client.post(reverse("children:search"), CRITERIA)
    with sent() as results:
        page = client.get(response["Location"]).content.decode()
    assert all(name in page for name in ("Amelia Thornton", "Amy Thornton", "Ava Thornton"))
    assert len(results.statements) == SEARCH_RESULTS_QUERIES, "\n".join(results.statements)


def test_a_searcher_whose_home_postcode_is_held_sends_as_many_statements_as_one_whose_is_not(world, child):
    # The own-address rule reads the token from the signed-in user and works out the postcodes' tokens
    # in memory: no statement of its own unless it flags the search (child lives at LS1 4AB).
    world.alice.home_postcode_token = home_postcode_token("LS2 7QQ")
    world.alice.save(update_fields=["home_postcode_token"])
    client = signed_in(world.alice)
    client.get(reverse("children:search"))
    with sent() as post:
        response = client.post(reverse("children:search"), {**CRITERIA, "postcode": "LS1 4AB"})
    assert response.status_code == 303
    assert len(post.statements) == SEARCH_POST_QUERIES, "\n".join(post.statements)
    assert not Alert.objects.exists()


# Never working hours: every search is screened by the out-of-hours rule as well.
@override_settings(MISUSE_WORKING_DAYS=())
def test_a_search_out_of_working_hours_sends_as_many_statements_as_in_them(world, child):
    client = signed_in(world.alice)
    client.get(reverse("children:search"))
    with sent() as post:
        response = client.post(reverse("children:search"), CRITERIA)
    assert response.status_code == 303
    # the out-of-hours rule's moments come with the misuse counts, in the same statement
    assert len(post.statements) == SEARCH_POST_QUERIES, "\n".join(post.statements)
    assert post.transactions == 1


@override_settings(SEARCH_RESULT_CAP=0)  # any match is then too many: "refine your search"
def test_a_search_answered_refine_sends_a_fixed_number_of_statements(world, child):
    client = signed_in(world.alice)
    client.get(reverse("children:search"))
    with sent() as post:
        response = client.post(reverse("children:search"), CRITERIA)
    assert response.status_code == 303
    assert len(post.statements) == REFINED_SEARCH_POST_QUERIES, "\n".join(post.statements)
    assert post.transactions == 1
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed, actor=world.alice)
    assert event.additional["too_many"] is True


def test_a_record_view_sends_a_fixed_number_of_statements(world, child):
    client = signed_in(world.alice)
    state_purpose(client, child)
    with sent() as view:
        page = client.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Amelia Thornton" in page
    assert len(view.statements) == RECORD_VIEW_QUERIES, "\n".join(view.statements)
    assert view.transactions == 1
    assert AuditEvent.objects.filter(tag=AuditTag.RecordViewed, child_id=child.pk).count() == 1


def test_a_renewed_session_is_one_update_outside_any_transaction(world):
    client = signed_in(world.alice)
    session = client.session
    session[SEEN_KEY] = time.time() - 3600  # due for renewal
    session.save()
    with sent() as page:
        client.get(reverse("children:search"))
    updates = [sql for sql in page.statements if sql.startswith('UPDATE "django_session"')]
    assert len(updates) == 1
    assert page.transactions == 0


def test_a_session_deleted_meanwhile_is_never_written_back(world):
    client = signed_in(world.alice)
    key = client.session.session_key
    store = SessionStore(session_key=key)
    store["anything"] = 1
    Session.objects.filter(session_key=key).delete()  # a suspension or second-factor reset ended it
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=key).exists()
