"""A search decides its tiers and "refine your search" from key rows alone, and decrypts nothing a
results page will not show (issue #9, search p95 at 1,000,000 children)."""

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings

from audit.models import AuditEvent
from audit.tags import AuditTag
from children import search
from children.models import BlockingKeyEntry, Child, RecordStatus
from children.search import SearchCriteria, child_search
from children.services import BLOCKING_PURPOSE
from matching.blocking import query_keys
from tests.personas import make_child
from vault.blind_index import blind_index
from vault.sealing import Sealer


def _recording(monkeypatch) -> tuple[list[str], dict[object, list[str]]]:
    """Every statement a search sends, and every column it decrypts by child."""
    statements: list[str] = []
    read: dict[object, list[str]] = {}
    unseal = Sealer.unseal_value

    def recording(self, blob, *, table, row_id, column):
        read.setdefault(row_id, []).append(column)
        return unseal(self, blob, table=table, row_id=row_id, column=column)

    monkeypatch.setattr(Sealer, "unseal_value", recording)
    return statements, read


def test_a_name_block_over_the_cap_is_refused_before_any_childs_sealed_row_is_fetched(world, monkeypatch):
    """Family + given name + gender with no date: at national scale the name block is often over the cap.
    The answer ("refine") comes from the key rows: no child row, sealed column or data key is read."""
    for i in range(4):
        make_child(world, family_name="Smith", given_names="Olivia", date_of_birth=date(2014, 1, 20 + i))
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 3)
    statements, read = _recording(monkeypatch)
    loaded: list[object] = []
    from_db = Child.from_db.__func__
    monkeypatch.setattr(Child, "from_db", classmethod(lambda cls, *a: loaded.append(a) or from_db(cls, *a)))

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        outcome = child_search(
            criteria=SearchCriteria("Smith", given_name="Olivia", gender="female"), fetched_by=world.alice
        )

    assert outcome.too_many is True and outcome.results == []
    assert loaded == [] and read == {}
    assert not any('"family_name"' in sql or '"data_key_id"' in sql for sql in statements)
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.additional["too_many"] is True and event.additional["criteria"]["given_name"]


def test_a_name_block_at_the_cap_is_scored_and_offered(world, monkeypatch):
    children = [
        make_child(
            world, family_name="Ashworth", given_names="Wilhelmina", date_of_birth=date(2014, 1, 20 + i)
        )
        for i in range(2)
    ]
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 2)
    outcome = child_search(
        criteria=SearchCriteria("Ashworth", given_name="Wilhelmina", gender="female"), fetched_by=world.alice
    )
    # both too close to call (names and gender agree, no date): listed as possible matches
    assert sorted(r.child.pk for r in outcome.results) == sorted(c.pk for c in children)
    assert all(r.possible for r in outcome.results)


@override_settings(SEARCH_RESULT_CAP=2)
def test_more_matches_than_the_page_shows_are_decrypted_only_to_score_them(world, monkeypatch):
    """Three accepted matches and a cap of two: "refine your search", and no match is decrypted any further
    than scoring needs (not its given names, gender or address, which only a results row shows)."""
    triplets = [make_child(world, given_names=name) for name in ("Amelia", "Ava", "Isla")]
    _, read = _recording(monkeypatch)

    outcome = child_search(
        criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=world.alice
    )

    assert outcome.too_many is True and outcome.results == [] and outcome.matched == 3
    for child in triplets:
        assert sorted(read[child.pk]) == ["date_of_birth", "family_name", "former_names"]
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.additional["too_many"] is True and event.additional["result_ids"] == []


def test_the_key_rows_a_search_reads_are_exactly_those_that_may_find_their_child(
    world, child, shielded_child
):
    """An archived or closed child through no key; a shielded one through its name keys but never through a
    hidden (address-derived) one; an ordinary child through all of them."""
    archived = make_child(world, given_names="Ava")
    closed = make_child(world, given_names="Isla")
    Child.objects.filter(pk=archived.pk).update(status=RecordStatus.ARCHIVED)
    Child.objects.filter(pk=closed.pk).update(status=RecordStatus.CLOSED)
    digests = list(BlockingKeyEntry.objects.values_list("digest", flat=True).distinct())

    rows = search.visible_key_rows(digests, limit=100_000)

    assert sorted(rows, key=str) == sorted(
        search._visible_active(digests).values_list("digest", "child_id"), key=str
    )
    by_child = {child_id for _, child_id in rows}
    assert child.pk in by_child and shielded_child.pk in by_child
    assert archived.pk not in by_child and closed.pk not in by_child
    shielded_hidden = set(
        BlockingKeyEntry.objects.filter(child=shielded_child, hidden=True).values_list("digest", flat=True)
    )
    assert shielded_hidden  # it has address keys, and none of them is read
    assert not any(d in shielded_hidden and c == shielded_child.pk for d, c in rows)


def test_a_shielded_child_is_not_found_by_its_postcode_through_the_key_rows(world, shielded_child):
    keys = query_keys(SearchCriteria("Okafor", postcode="LS6 2QT").identity())
    digests = [blind_index(BLOCKING_PURPOSE, key) for key in keys]
    assert shielded_child.pk not in {c for _, c in search.visible_key_rows(digests, limit=1000)}
    assert shielded_child.pk not in search._child_ids(frozenset(keys))


def test_a_block_over_the_cap_within_the_first_key_rows_read_is_refused_without_a_distinct_count(
    world, monkeypatch
):
    """Past the row bound, the rows read already name more children than the cap: that is the answer."""
    for i in range(4):
        make_child(world, given_names=f"Child{i}", family_name="Smith", date_of_birth=date(2014, 1, 20))
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 3)
    monkeypatch.setattr(search, "TIER_ROWS_PER_CANDIDATE", 1)  # 3 rows, then tier by tier
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count), pytest.raises(search.TooManyCandidates):
        search.child_search_matches(SearchCriteria("Smith", date_of_birth=date(2014, 1, 20)))
    assert not any("DISTINCT" in sql for sql in statements)
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 4)  # at the cap: all four scored, none truncated
    assert len(search.child_search_matches(SearchCriteria("Smith", date_of_birth=date(2014, 1, 20)))) == 4


def test_a_child_closed_after_its_key_rows_were_read_is_not_offered(world, monkeypatch):
    """The key rows and the candidates' sealed rows are two statements for a name-only search: a child
    closed (a new identity) in between must not be scored or shown."""
    closing = make_child(world, family_name="Ashworth", given_names="Wilhelmina")
    read_rows = search.visible_key_rows

    def then_closed(digests, *, limit):
        rows = read_rows(digests, limit=limit)
        Child.objects.filter(pk=closing.pk).update(status=RecordStatus.CLOSED)
        return rows

    monkeypatch.setattr(search, "visible_key_rows", then_closed)
    outcome = child_search(
        criteria=SearchCriteria("Ashworth", given_name="Wilhelmina", gender="female"), fetched_by=world.alice
    )
    assert outcome.results == [] and outcome.too_many is False


def test_a_names_only_search_whose_name_only_keys_are_too_many_asks_to_refine_not_no_children_found(
    world, monkeypatch
):
    """A family-name slip ("Swith") misses the typed-names keys; the Olivia Smiths share only a name-only
    key (given name + the family name's first and last letters). Over the cap, the search cannot look at
    them, so it may not say "no children found": it asks for more detail."""
    smiths = [
        make_child(world, family_name="Smith", given_names="Olivia", date_of_birth=date(2014, 1, 20 + i))
        for i in range(4)
    ]
    criteria = SearchCriteria("Swith", given_name="Olivia", gender="female")
    _, read = _recording(monkeypatch)
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 4)
    search.child_search_found(criteria)  # within the cap: every one of them looked at, no "refine"
    assert set(read) == {c.pk for c in smiths}
    read.clear()
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 3)

    outcome = child_search(criteria=criteria, fetched_by=world.alice)

    assert outcome.too_many is True and outcome.results == [] and outcome.near_miss is False
    assert read == {}
    assert AuditEvent.objects.get(tag=AuditTag.SearchPerformed).additional["too_many"] is True


def test_a_candidate_whose_family_name_disagrees_outright_is_read_no_further_than_its_family_names(
    world, monkeypatch
):
    """Olivia Sheikh shares only a name-only key with a search for Olivia Smith (given name + the family
    name's first and last letters): her family names rule her out whatever else she holds, so her given
    names and gender are never decrypted; Olivia Smith is scored in full and offered."""
    smith = make_child(world, family_name="Smith", given_names="Olivia")
    sheikh = make_child(world, family_name="Sheikh", given_names="Olivia")
    _, read = _recording(monkeypatch)

    found = search.child_search_found(SearchCriteria("Smith", given_name="Olivia", gender="female"))

    assert [r.child.pk for r in found.results] == [smith.pk]
    assert sorted(read[sheikh.pk]) == ["family_name", "former_names"]
    assert {"given_names", "gender"} <= set(read[smith.pk])
