from datetime import date

from matching.blocking import record_keys
from matching.identity import Identity
from vault.blind_index import DIGEST_BYTES, blind_index, blind_indexes, blind_token
from vault.providers import key_provider


def test_a_digest_is_a_keyed_64_bit_value_that_changes_with_the_index_key():
    first = blind_index("child-block", "fam-dob|T655|2015-03-04")
    assert -(2**63) <= first < 2**63 and DIGEST_BYTES == 8
    assert blind_index("child-block", "fam-dob|T655|2015-03-04") == first
    key_provider.cache_clear()  # a new ring: a database copied without its key tests no guess
    assert blind_index("child-block", "fam-dob|T655|2015-03-04") != first


def test_purposes_keep_digests_of_the_same_value_apart():
    assert blind_index("child-block", "x") != blind_index("other", "x")
    assert blind_token("search-family_name", "thornton") != blind_token("search-given_name", "thornton")
    assert len(blind_token("search-family_name", "thornton")) == 32


def test_low_entropy_values_are_only_ever_indexed_in_compound_form():
    identity = Identity(
        family_names=("Thornton",),
        given_names=("Amelia",),
        date_of_birth=date(2015, 3, 4),
        gender="female",
        postcodes=("LS1 4AB",),
    )
    for key in record_keys(identity):
        parts = key.value.split("|")
        assert len(parts) >= 3, key  # kind + at least two components: never a DOB or gender alone


def test_many_digests_at_once_are_the_digests_one_at_a_time():
    values = ["fp|T655|2015-03-04", "gp|A540|2015-03-04", "", "pc|LS1 4AB|t"]
    assert blind_indexes("child-block", values) == [blind_index("child-block", v) for v in values]
