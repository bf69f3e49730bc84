"""A feed row about an archived (or identity-closed) child of a common family name is a review naming the
record it resembles, even when the nearby-date tier is over the candidate cap.

`link_decide` sent a row with nothing plausible and the nearby-date tier over the cap to a "too many"
review before it looked for an archived record the row resembles: at national density a row about an
archived child (died, or archived early) called Smith became a review naming nothing, where it was an
"archived" review naming the archived record (`resembles`, purged with it). The archived record is found
from the row's own keys, whatever the cap. `LINK_CANDIDATE_LIMIT` is lowered to 5 so national density fits
in a test.
"""

from datetime import date

from django.utils import timezone

from children.models import Child, RecordStatus
from children.records import Gender
from lifecycle.services import child_archive
from linkage import linking
from linkage.linking import IncomingRecord, Outcome, link_decide
from linkage.models import ReviewReason
from matching.identity import Identity
from tests.personas import make_child

ROW_DATE = date(2015, 3, 4)


def _smiths_on_nearby_dates(world):
    for day in (5, 6, 7, 8, 9, 24):
        make_child(
            world, given_names="Zed", family_name="Smith", date_of_birth=date(2015, 3, day), gender="male"
        )


def _row(world) -> IncomingRecord:
    identity = Identity(
        family_names=("Smith",), given_names=("Amelia",), date_of_birth=ROW_DATE, gender=Gender.FEMALE
    )
    return IncomingRecord(identity=identity, local_authority_id=world.north.pk)


def _archived_amelia(world):
    amelia = make_child(world, given_names="Amelia", family_name="Smith", date_of_birth=ROW_DATE)
    child_archive(child_id=amelia.pk, rule="age", today=timezone.localdate())
    return amelia


def test_an_archived_resemblance_is_named_though_the_nearby_dates_are_over_the_cap(world, monkeypatch):
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 5)
    archived = _archived_amelia(world)
    _smiths_on_nearby_dates(world)
    decision = link_decide(record=_row(world), la_ids=frozenset({world.north.pk}))
    assert decision.outcome == Outcome.REVIEW
    assert (decision.reason, decision.resembles) == (ReviewReason.ARCHIVED, [archived.pk])


def test_control_within_the_cap_the_same_row_is_the_same_archived_review(world):
    archived = _archived_amelia(world)
    _smiths_on_nearby_dates(world)
    decision = link_decide(record=_row(world), la_ids=frozenset({world.north.pk}))
    assert (decision.reason, decision.resembles) == (ReviewReason.ARCHIVED, [archived.pk])


def test_with_no_archived_resemblance_it_is_still_a_too_many_review(world, monkeypatch):
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 5)
    _smiths_on_nearby_dates(world)
    decision = link_decide(record=_row(world), la_ids=frozenset({world.north.pk}))
    assert (decision.outcome, decision.reason, decision.resembles) == (
        Outcome.REVIEW,
        ReviewReason.TOO_MANY,
        [],
    )


def test_an_identity_closed_for_a_new_one_is_held_first_though_the_nearby_dates_are_over_the_cap(
    world, monkeypatch
):
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 5)
    closed = make_child(world, given_names="Amelia", family_name="Smith", date_of_birth=ROW_DATE)
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.CLOSED)
    _smiths_on_nearby_dates(world)
    decision = link_decide(record=_row(world), la_ids=frozenset({world.north.pk}))
    assert (decision.reason, decision.resembles, decision.shielded_hold) == (
        ReviewReason.CLOSED_IDENTITY,
        [closed.pk],
        True,
    )
