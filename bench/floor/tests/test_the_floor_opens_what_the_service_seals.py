"""The load benchmark's floor opens what the service seals, in both formats (review, session 39).

The floor decrypts stored fields with AES-GCM alone (nothing of the service's code, for a fair floor). When
the service began padding its fields (format 0x02, its format byte authenticated), the floor's own
opening failed on every child sealed since: `make bench-load`'s floor answered each search with an error.
"""

from bench.floor.opening import sealed_open
from vault import crypto
from vault.sealing import seal_row

AAD = b"cp-field|children_child|gender|c1|7"


def test_the_floor_opens_a_field_the_service_seals_now():
    dek = crypto.new_key()
    blob = seal_row(crypto.cipher(dek), table="children_child", row_id="c1", key_id=7, values={"gender": "F"})
    assert blob["gender"][:1] == crypto.FORMAT_V2
    assert sealed_open(blob["gender"], dek, AAD) == b'"F"'


def test_the_floor_opens_a_wrapped_data_key_and_a_field_of_the_old_format():
    dek = crypto.new_key()
    old = crypto.seal(b'"F"', key=dek, aad=AAD)
    assert old[:1] == crypto.FORMAT_V1
    assert sealed_open(old, dek, AAD) == b'"F"'
