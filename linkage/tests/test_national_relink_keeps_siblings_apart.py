"""National re-linkage never puts twins or siblings in one cluster: a pair the engine sends to a person
as a possible sibling (`linkage.linking.possible_sibling`) is never an edge of Splink's clusters
(`linkage.national.possible_sibling_sql`)."""

from datetime import date

import pytest

from linkage.linking import LINK_MARGIN, possible_sibling
from linkage.national import model_settings, national_relink, possible_sibling_sql
from linkage.tests.relink_records import BORN, record_identity, relink_record
from matching.scoring import score
from matching.splink_columns import splink_row

pytest.importorskip("splink")


SIBLINGS = {
    "twin brothers": (
        relink_record("a", "Oliver", "Ramsbottom", "male"),
        relink_record("b", "Harry", "Ramsbottom", "male"),
    ),
    "boy and girl twins": (
        relink_record("a", "Olivia", "Smith", "female"),
        relink_record("b", "Harry", "Smith", "male"),
    ),
    "brothers two years apart": (
        relink_record("a", "Oliver", "Ramsbottom", "male"),
        relink_record("b", "Jack", "Ramsbottom", "male", date(2013, 3, 4)),
    ),
    "twins with near names of the other sex": (
        relink_record("a", "Oliver", "Ramsbottom", "male"),
        relink_record("b", "Olivia", "Ramsbottom", "female"),
    ),
    "twin sisters with similar names": (
        relink_record("a", "Amelia", "Ramsbottom", "female"),
        relink_record("b", "Amira", "Ramsbottom", "female"),
    ),
}


@pytest.mark.parametrize("who", SIBLINGS)
def test_national_relink_never_puts_two_siblings_in_one_cluster(who):
    left, right = SIBLINGS[who]
    assert possible_sibling(
        score(record_identity(left), record_identity(right))
    )  # the engine sends them to a person
    clusters = national_relink([left, right])
    assert clusters["a"] != clusters["b"], who


def test_a_household_of_twins_and_siblings_is_one_cluster_per_child():
    household = [
        ("Oliver", "male", BORN),
        ("Harry", "male", BORN),
        ("Amelia", "female", BORN),
        ("Jack", "male", date(2013, 3, 4)),
        ("Isla", "female", date(2017, 6, 9)),
        ("Noah", "male", date(2011, 1, 20)),
    ]
    records = [
        relink_record(str(n), given, "Ramsbottom", sex, born)
        for n, (given, sex, born) in enumerate(household)
    ]
    # Each child's second record from another source, with a slip: still that child's cluster.
    records.append(relink_record("0b", "Olivr", "Ramsbottom", "male"))
    records.append(relink_record("3b", "Jack", "Ramsbotom", "male", date(2013, 3, 4)))
    clusters = national_relink(records)
    assert len({clusters[str(n)] for n in range(len(household))}) == len(household)
    assert clusters["0b"] == clusters["0"]
    assert clusters["3b"] == clusters["3"]


def test_a_record_as_like_one_twin_as_the_other_joins_neither():
    oliver, harry = (
        relink_record("a", "Oliver", "Ramsbottom", "male"),
        relink_record("b", "Harry", "Ramsbottom", "male"),
    )
    no_given_name = relink_record(
        "x", "", "Ramsbottom", "male"
    )  # the engine: two candidates, a person decides
    clusters = national_relink([oliver, harry, no_given_name])
    assert len({clusters["a"], clusters["b"], clusters["x"]}) == 3


def test_a_record_far_more_like_one_sibling_joins_that_one():
    oliver = relink_record("a", "Oliver", "Ramsbottom", "male")
    # A half-brother a year older to the day, in the next street.
    jack = relink_record("b", "Jack", "Ramsbottom", "male", date(2014, 3, 4), postcode="LS1 4AQ")
    no_given_name = relink_record("x", "", "Ramsbottom", "male")
    engine = [score(record_identity(no_given_name), record_identity(r)).weight for r in (oliver, jack)]
    assert engine[0] - engine[1] >= LINK_MARGIN
    clusters = national_relink([oliver, jack, no_given_name])
    assert clusters["x"] == clusters["a"] != clusters["b"]


# Pairs of one family, date of birth and address: what the sibling rule reads is the given name and sex.
PAIRS = [
    ("Oliver", "male", "Harry", "male"),
    ("Olivia", "female", "Harry", "male"),
    ("Oliver", "male", "Olivia", "female"),
    ("Amelia", "female", "Amira", "female"),
    ("Amelia", "female", "Amelai", "female"),
    ("Amelia", "female", "Amelia", "female"),
    ("Amelia", "female", "Amelia", "male"),
    ("Samuel", "male", "Sam", "male"),
    ("Samuel", "male", "Sam", "female"),
    ("Jon", "male", "John", "male"),
    ("Jon", "male", "John", "female"),
    ("Katherine", "female", "Catherine", "female"),
    ("Martha", "female", "Marta", "female"),
    ("Martha", "female", "Marsha", "female"),
    ("Isla", "female", "Isaac", "male"),
    ("Amelia", "female", "", "female"),
    ("Amelia", "female", "", "male"),
    ("Amelia", "female", "Amelia", None),
    ("Amelia", "female", "Ava", None),
    # Names typed the other way round: the engine reads the better reading, so no sibling.
    ("Shaw", "female", "Olivia Ellie", "female", "Olivia", "Shaw"),
    ("Shaw", "male", "Olivia Ellie", "female", "Olivia", "Shaw"),
]


def test_the_sql_sibling_rule_is_the_engines_on_every_pair():
    from splink import DuckDBAPI, Linker

    records = []
    for n, (given_l, sex_l, given_r, sex_r, *families) in enumerate(PAIRS):
        family_l, family_r = families or ("Ramsbottom", "Ramsbottom")
        records.append(relink_record(f"{n}l", given_l, family_l, sex_l))
        records.append(relink_record(f"{n}r", given_r, family_r, sex_r))
    by_id = {r["record_id"]: r for r in records}
    rows = [
        splink_row(
            unique_id=r["record_id"],
            given=r["given"],
            family=r["family"],
            gender=r["gender"],
            dob=r["dob"],
            postcode=r["postcode"],
        )
        | {"pair": r["record_id"][:-1]}  # only the pair's two records block together
        for r in records
    ]
    settings = model_settings()
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": "l.pair = r.pair", "sql_dialect": "duckdb"}
    ]
    linker = Linker(DuckDBAPI().register(rows), settings)
    predicted = linker.inference.predict()
    judged = linker.misc.query_sql(
        f"SELECT unique_id_l, unique_id_r, {possible_sibling_sql(settings)} AS sibling"  # noqa: S608
        f" FROM {predicted.physical_name}",
        output_type="splink_df",
    ).as_record_list()
    assert len(judged) == len(PAIRS)
    for pair in judged:
        left, right = by_id[pair["unique_id_l"]], by_id[pair["unique_id_r"]]
        engine = possible_sibling(score(record_identity(left), record_identity(right)))
        assert bool(pair["sibling"]) == engine, (
            left["given"],
            left["gender"],
            right["given"],
            right["gender"],
        )
