"""The merge finder looks up two index numbers (shielded children's included): each look-up is audited, and
the finder counts against the person's search limit (a review's finding, Low).

As the archive finder (`child:archive:lookup`) and the reports' look-up (`audit:report:lookup`): one event per
number, naming the record only when one was found (it is then that child's event, in their subject access
report), never the number typed. Past the limit nothing is looked up, and the page says why in words.
"""

from django.urls import reverse

from accounts.models import Role
from accounts.ratelimit import SEARCH_USER
from audit.models import AuditEvent
from audit.tags import AuditTag
from children import index_number
from tests.journeys import signed_in
from tests.personas import make_child, make_user

FIND = reverse("linkage:merge_find")
SEARCH_CRITERIA = {"family_name": "Thornton", "postcode": "LS1 4AB"}
LIMITED = (
    "You have made too many searches and look-ups in the last minute (up to 60 a minute for each person). "
    "Wait a minute and try again."
)


def _unused_valid_number(taken: set[str]) -> str:
    for n in range(100000000, 100001000):
        for d in range(10):
            candidate = f"{n}{d}"
            if index_number.is_valid(candidate) and candidate not in taken:
                return candidate
    raise AssertionError("no unused index number")


def _lookups() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=AuditTag.MergeLookup).order_by("id"))


def test_each_number_looked_up_is_audited_naming_the_record_only_when_found(world):
    shielded = make_child(
        world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True
    )
    unknown = _unused_valid_number({shielded.index_number})
    response = signed_in(world.lena).post(FIND, {"survivor": shielded.index_number, "duplicate": unknown})
    assert response.status_code == 400
    lookups = _lookups()
    assert [(e.actor_id, e.child_id, e.additional["found"]) for e in lookups] == [
        (world.lena.pk, shielded.pk, True),
        (world.lena.pk, None, False),
    ]
    assert [e.additional["entered_as"] for e in lookups] == ["survivor", "duplicate"]
    for event in lookups:  # never the numbers typed
        assert shielded.index_number not in str(event.additional) and unknown not in str(event.additional)


def test_both_records_found_are_audited_and_the_team_is_sent_to_compare_them(world):
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    response = signed_in(world.lena).post(
        FIND, {"survivor": survivor.index_number, "duplicate": duplicate.index_number}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])
    assert [(e.child_id, e.additional["found"]) for e in _lookups()] == [
        (survivor.pk, True),
        (duplicate.pk, True),
    ]


def test_another_las_record_is_audited_as_not_found(world):
    """The finder answers another LA's record like an unknown number: its event names no child either."""
    theirs = make_child(world, la=world.south)
    ours = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    signed_in(world.lena).post(FIND, {"survivor": ours.index_number, "duplicate": theirs.index_number})
    assert [(e.child_id, e.additional["found"]) for e in _lookups()] == [(ours.pk, True), (None, False)]


def test_the_finder_refuses_in_words_past_the_limit_and_looks_nothing_up(world):
    survivor = make_child(world)
    numbers = {"survivor": survivor.index_number, "duplicate": _unused_valid_number({survivor.index_number})}
    client = signed_in(world.lena)
    for _ in range(SEARCH_USER.limit):
        assert client.post(FIND, numbers).status_code == 400  # looked up: the second number is no record
    assert len(_lookups()) == 2 * SEARCH_USER.limit
    response = client.post(FIND, numbers)
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert "No active record has this index number" not in response.content.decode()
    assert len(_lookups()) == 2 * SEARCH_USER.limit  # nothing looked up
    throttled = AuditEvent.objects.get(tag=AuditTag.SearchThrottled, actor=world.lena)
    assert throttled.additional["page"] == "merge_find"
    client.post(FIND, numbers)  # refused again in the same minute: audited once a minute, not per request
    assert AuditEvent.objects.filter(tag=AuditTag.SearchThrottled, actor=world.lena).count() == 1
    # Another person's limit is their own.
    stella = signed_in(make_user("stella", world.north, Role.LA_TEAM))
    assert stella.post(FIND, numbers).status_code == 400


def test_searches_and_merge_look_ups_share_one_limit(world):
    """One person's budget for finding children, however they look: the finder does not add a second one."""
    survivor = make_child(world)
    client = signed_in(world.lena)
    for _ in range(SEARCH_USER.limit):
        SEARCH_USER.hit(str(world.lena.pk))  # as many searches as the limit allows
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    response = client.post(FIND, {"survivor": survivor.index_number, "duplicate": duplicate.index_number})
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert _lookups() == []
