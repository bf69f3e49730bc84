"""What linkage reads of the blocking index for one feed record: every not-ordinary child under every key,
the ordinary ones only as far as the engine's tiers reach (`linkage.linking.key_hits`,
`ordinary_candidates`)."""

from datetime import date
from typing import Any

import pytest

from children.models import BlockingKeyEntry, RecordStatus
from children.records import Gender
from linkage import linking
from linkage.linking import (
    IncomingRecord,
    Outcome,
    key_hits,
    link_decide,
    ordinary_candidates,
    record_digests,
)
from linkage.models import ReviewReason
from matching.blocking import candidates_within
from matching.identity import Identity
from tests.personas import make_child


def _record(given: str, family: str, dob: date, postcode: str = "LS1 4AB") -> IncomingRecord:
    return IncomingRecord(
        identity=Identity(
            family_names=(family,),
            given_names=(given,),
            date_of_birth=dob,
            gender=Gender.FEMALE,
            postcodes=(postcode,),
        )
    )


def _every_entry_read(digests: Any) -> dict[int, set[Any]]:
    """The ordinary children under each digest, every one of them, read through the ORM: what the lookup
    read before the broad tier was left unread."""
    entries = BlockingKeyEntry.objects.filter(
        digest__in=digests.of(digests.keys.every), child__status=RecordStatus.ACTIVE, child__shielded=False
    ).values_list("digest", "child_id")
    by_digest: dict[int, set[Any]] = {}
    for digest, child_id in entries:
        by_digest.setdefault(digest, set()).add(child_id)
    return by_digest


def _namesakes(world):
    """Thirteen Amelia Thorntons: some share the searched date, some a date one digit out (nearby-date
    tier), most only the names (the broad tier); one of them shielded and one archived."""
    from django.utils import timezone

    from lifecycle.services import child_archive

    dates = (
        [date(2015, 3, 4)] * 2
        + [date(2015, 3, 5), date(2015, 8, 4)]
        + [date(2010 + i, 6, 20) for i in range(9)]
    )
    children = [make_child(world, date_of_birth=d, postcode="LS6 2QT") for d in dates]
    make_child(world, date_of_birth=date(2012, 1, 30), shielded=True, postcode="LS6 2QT")
    child_archive(child_id=children[-1].pk, rule="age", today=timezone.localdate())
    return children


@pytest.mark.parametrize("cap", [1, 2, 3, 4, 5, 8, 11, 12, 13, 40])
def test_the_candidates_are_those_of_reading_every_key_entry_whatever_the_cap(world, cap):
    _namesakes(world)
    for record in (
        _record("Amelia", "Thornton", date(2015, 3, 4)),
        _record("Amelia", "Thornton", date(2012, 1, 30)),
        _record("Amelie", "Thornten", date(2015, 4, 3)),
        _record("Grace", "Thornton", date(2001, 1, 1)),
    ):
        digests = record_digests(record)
        every = _every_entry_read(digests)

        def full(tier, every=every, digests=digests):
            return set().union(*(every.get(d, set()) for d in digests.of(tier)))

        expected = candidates_within(digests.keys, full, cap=cap)
        found = ordinary_candidates(digests, key_hits(digests), cap=cap)
        assert (found.found, found.tiers_used, found.refine) == (
            expected.found,
            expected.tiers_used,
            expected.refine,
        )


def test_the_broad_tier_is_left_unread_when_it_cannot_fit_and_read_when_it_can(world, monkeypatch):
    _namesakes(world)
    record = _record("Amelia", "Thornton", date(2015, 3, 4))
    digests = record_digests(record)
    hits = key_hits(digests)
    broad = set(digests.of(digests.keys.broad))
    assert broad and not broad & hits.ordinary.keys()  # no ordinary child read through a name-only key
    asked: list[int] = []
    real = linking.broad_ordinary

    def counting(digest_list, *, limit):
        asked.append(limit)
        return real(digest_list, limit=limit)

    monkeypatch.setattr(linking, "broad_ordinary", counting)
    small = ordinary_candidates(digests, hits, cap=3)  # the typed date and a digit out: 4 children, over 3
    assert small.refine is False and small.tiers_used == 1 and asked == []
    wide = ordinary_candidates(digests, hits, cap=40)
    assert asked == [41] and wide.tiers_used == 3 and len(wide.found) == 12  # 13 less the archived one


def test_a_shielded_child_sharing_only_a_name_key_is_held_though_its_tier_is_never_read(world, monkeypatch):
    _namesakes(world)
    monkeypatch.setattr(linking, "LINK_CANDIDATE_LIMIT", 4)
    record = _record("Amelia", "Thornton", date(2015, 3, 4), postcode="LS1 4AB")
    digests = record_digests(record)
    hits = key_hits(digests)
    assert len(hits.shielded) == 1  # found through a name key of the broad tier, the only key it shares
    decision = link_decide(record=record, la_ids=frozenset({world.north.pk}), digests=digests)
    assert decision.outcome == Outcome.REVIEW and decision.shielded_hold
    assert decision.reason == ReviewReason.SHIELDED


def test_an_archived_child_sharing_only_a_name_key_is_seen(world):
    children = _namesakes(world)
    digests = record_digests(_record("Amelia", "Thornton", date(2015, 3, 4)))
    assert key_hits(digests).other == {RecordStatus.ARCHIVED: {children[-1].pk}}
