"""Probing children's ids is looking children up: each answer that tells a person nothing about a child
they may not identify (refused, or no such record) counts against their search limit, the one budget the
search, the merge finder and the reports' look-ups share (session 36). Past it the answer is the same for
every id (429, in words), audited once a minute naming the page. Nothing is counted for a person told
about a child they may identify, or for a page that is not refused (review, session 37)."""

import uuid

from django.urls import reverse

from accounts.ratelimit import SEARCH_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from oversight.rules import REFUSED_LOOKUPS
from tests.journeys import signed_in, state_purpose
from tests.other_la import main_of
from tests.personas import make_child

LIMITED = (
    "You have made too many searches and look-ups in the last minute (up to 60 a minute for each person). "
    "Wait a minute and try again."
)


def _counted(user) -> int:
    return SEARCH_USER.count(str(user.pk))


def test_each_refusal_of_a_child_one_may_not_identify_is_counted_as_a_look_up(world, child, shielded_child):
    client = signed_in(world.bob)
    state_purpose(client, shielded_child)
    # Stating a purpose for a child no search of his returned is a look-up too (since session 38): the
    # purpose page answers a living record's id where a made-up one gets 404.
    assert _counted(world.bob) == 1
    assert client.get(reverse("children:caf", args=[shielded_child.pk])).status_code == 403
    assert _counted(world.bob) == 2
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert client.get(reverse("children:purpose", args=[child.pk])).status_code == 404
    assert client.get(reverse("children:purpose", args=[uuid.uuid4()])).status_code == 404
    assert _counted(world.bob) == 4


def test_nothing_is_counted_for_a_refusal_told_to_whoever_may_identify_the_child(world, child):
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    response = signed_in(world.lena).get(reverse("children:purpose", args=[child.pk]))
    assert response.status_code == 403  # the LA team holding it: told it was closed
    assert _counted(world.lena) == 0


def test_past_the_limit_every_probe_gets_the_same_answer_in_words(world, child, shielded_child):
    client = signed_in(world.bob)
    state_purpose(client, shielded_child)
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    for _ in range(SEARCH_USER.limit):
        SEARCH_USER.hit(str(world.bob.pk))  # as many searches and look-ups as the limit allows
    answers = [
        client.get(reverse("children:caf", args=[shielded_child.pk])),  # refused
        client.get(reverse("children:purpose", args=[child.pk])),  # closed
        client.get(reverse("children:record", args=[uuid.uuid4()])),  # never existed
    ]
    assert [a.status_code for a in answers] == [429] * 3
    assert LIMITED in main_of(answers[0])
    assert len({main_of(a) for a in answers}) == 1
    throttled = AuditEvent.objects.get(tag=AuditTag.SearchThrottled, actor=world.bob)
    assert throttled.additional["page"] == "children:caf"  # the first of the minute, naming its page


def test_probing_many_ids_of_another_las_children_tells_nothing_and_is_stopped_before_the_limit(world):
    """The reviewer's probe: many children of another LA, shielded and not, by id alone. Each made-up id is
    a refused look-up: past `REFUSED_LOOKUPS.suspend_above` in the hour the account is suspended (since
    session 38), before the search limit is reached, and the next request is signed out."""
    kids = [make_child(world, given_names=f"Kid{c}", shielded=i % 2 == 0) for i, c in enumerate("abcdefgh")]
    client = signed_in(world.bob)
    for kid in kids:
        response = client.get(reverse("children:lead_professional", args=[kid.pk]))
        assert response.status_code == 302  # asked why first, shielded or not: nothing told
        assert response["Location"] == reverse("children:purpose", args=[kid.pk])
    answers = [
        client.get(reverse("children:record", args=[uuid.uuid4()])) for _ in range(SEARCH_USER.limit + 1)
    ]
    stopped_after = REFUSED_LOOKUPS.suspend_above + 1  # the page that crossed it still answers
    assert stopped_after < SEARCH_USER.limit
    assert [a.status_code for a in answers] == [404] * stopped_after + [302] * (len(answers) - stopped_after)
    assert all(a["Location"].startswith(reverse("accounts:login")) for a in answers[stopped_after:])
    assert "Northshire Council" not in "".join(main_of(a) for a in answers[:stopped_after])
    world.bob.refresh_from_db()
    assert world.bob.suspended_at is not None
