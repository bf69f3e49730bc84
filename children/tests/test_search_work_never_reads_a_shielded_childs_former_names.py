"""A search's work on a shielded candidate never depends on the candidate's former names.

Search never finds, ranks or explains a shielded child through its former names (`matching.blocking`
files the keys only a former name gives as hidden; `matching.scoring.score` compares a shielded child's
current names only; DECISIONS section 14). But `children.search._scored` read a candidate's family names
WITH its former names for the early prune (`family_disagrees_outright`): a shielded child whose former
family name was the one typed was decrypted further (given names, date of birth) and scored, and one with
another former name was pruned after its names. The answer was the same ("no one"), the work, and so the
time, told whether the typed family name was a former name of a shielded child. Now a shielded candidate
is pruned and scored by its current names, and its former names are not even decrypted.
"""

from datetime import date

from children.records import FormerName
from children.search import SearchCriteria, child_search
from tests.personas import make_child
from vault.sealing import Sealer


def _columns_decrypted(monkeypatch, criteria, actor):
    seen: list[str] = []
    original = Sealer.unseal_value

    def counting(self, blob, *, table, row_id, column):
        seen.append(column)
        return original(self, blob, table=table, row_id=row_id, column=column)

    monkeypatch.setattr(Sealer, "unseal_value", counting)
    try:
        outcome = child_search(criteria=criteria, fetched_by=actor)
    finally:
        monkeypatch.setattr(Sealer, "unseal_value", original)
    return outcome, sorted(seen)


def _shielded_okafors(world):
    """Two shielded Jasmine Okafors (current name), formerly Smith and Brown, born a year apart."""
    was_smith, was_brown = date(2015, 3, 4), date(2016, 7, 19)
    for born, former in ((was_smith, "Smith"), (was_brown, "Brown")):
        make_child(
            world,
            given_names="Jasmine",
            family_name="Okafor",
            date_of_birth=born,
            postcode="LS6 2QT",
            shielded=True,
            former_names=[FormerName("Jasmine", former)],
        )
    return was_smith, was_brown


def test_typing_a_shielded_childs_former_name_does_no_more_work_than_another_name(world, monkeypatch):
    was_smith, was_brown = _shielded_okafors(world)
    a, seen_a = _columns_decrypted(
        monkeypatch, SearchCriteria("Smith", given_name="Jasmine", date_of_birth=was_smith), world.alice
    )
    b, seen_b = _columns_decrypted(
        monkeypatch, SearchCriteria("Smith", given_name="Jasmine", date_of_birth=was_brown), world.alice
    )
    assert (a.results, a.near_miss, a.too_many) == (b.results, b.near_miss, b.too_many) == ([], False, False)
    assert seen_a == seen_b


def test_a_shielded_candidates_former_names_are_never_decrypted_by_a_search(world, monkeypatch):
    was_smith, _ = _shielded_okafors(world)
    for criteria in (
        SearchCriteria("Smith", given_name="Jasmine", date_of_birth=was_smith),
        SearchCriteria("Okafor", given_name="Jasmine", date_of_birth=was_smith),
    ):
        _, seen = _columns_decrypted(monkeypatch, criteria, world.alice)
        assert "former_names" not in seen, criteria


def test_a_shielded_child_is_still_found_and_scored_by_its_current_name(world, monkeypatch):
    was_smith, _ = _shielded_okafors(world)
    outcome, seen = _columns_decrypted(
        monkeypatch, SearchCriteria("Okafor", given_name="Jasmine", date_of_birth=was_smith), world.alice
    )
    assert [r.date_of_birth for r in outcome.results] == [was_smith]
    assert "date_of_birth" in seen and "address" not in seen


def test_an_ordinary_childs_former_name_still_finds_it(world):
    child = make_child(
        world,
        given_names="Jasmine",
        family_name="Okafor",
        date_of_birth=date(2015, 3, 4),
        former_names=[FormerName("Jasmine", "Smith")],
    )
    outcome = child_search(
        criteria=SearchCriteria("Smith", given_name="Jasmine", date_of_birth=date(2015, 3, 4)),
        fetched_by=world.alice,
    )
    assert [r.child.pk for r in outcome.results] == [child.pk]
