"""A copy of the database alone must not tell a sealed value by its ciphertext's length.

AES-GCM's ciphertext is as long as its plaintext, so a field whose values are few (a gender, a sensitive
service's kind, whether a date of death is recorded) was readable from its length alone. Every field is
sealed padded to a bucket (`vault.crypto.padded_length`); rows written before, unpadded, still open, and
a DEK rotation re-seals them padded.
"""

import os
import uuid
from datetime import date
from io import StringIO

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command

from children.models import Carer, Child, Involvement
from children.records import (
    Address,
    CarerDetails,
    ChildDetails,
    FormerName,
    Gender,
    InvolvementDetails,
    RecordingBasis,
    SensitiveCategory,
)
from children.selectors import child_record
from children.services import child_seal, involvement_record
from tests.personas import make_child
from vault import crypto
from vault.keys import data_key_open
from vault.models import DataKey
from vault.registry import sealed_models
from vault.sealing import Sealer, field_aad, field_plaintext, field_value, seal_row

ORG = 123_456  # an organisation id as large as a national directory's


def _details(**changes: object) -> ChildDetails:
    values: dict = {
        "given_names": "Amelia",
        "family_name": "Thornton",
        "gender": Gender.FEMALE,
        "date_of_birth": date(2015, 3, 4),
        "address": Address(lines=["12 Quarry Lane", "Leeds"], postcode="LS1 4AB"),
    }
    return ChildDetails(**(values | changes))


def _lengths(sealed: list[dict[str, bytes]], column: str) -> set[int]:
    return {len(row[column]) for row in sealed}


# Every field whose values are few: each value, or its presence, would otherwise be read from a dump.
SMALL_SETS = {
    "gender": [Gender.FEMALE, Gender.MALE, Gender.NOT_SPECIFIED],
    "date_of_death": [None, "2024-01-02"],
    "caf_completed": [True, False],
    "lead_professional": [None, str(uuid.uuid4())],
    "former_names": [[], [{"given_names": "Amelia-Rose", "family_name": "Thornton-Hughes"}]],
    "former_postcodes": [[], ["LS1 4AB"], ["LS1 4AB", "BD10 0AA", "HX1 1AA"]],
    "educational_setting": [
        None,
        {"organisation_id": ORG, "started_on": None},
        {"organisation_id": ORG, "started_on": "2020-09-01"},
    ],
    "gp_practice": [None, {"organisation_id": ORG}],
    "parental_responsibility": [True, False],
    "sensitive_category": [None, *SensitiveCategory.ALL],
    "recording_basis": [None, *RecordingBasis.ALL],
    "started_on": [None, "2024-01-02"],
    "ended_on": [None, "2024-01-02"],
    "organisation_id_sealed": [1, ORG],
}


@pytest.mark.parametrize("column", sorted(SMALL_SETS))
def test_every_value_of_a_field_with_few_values_seals_to_the_same_length(column):
    cipher = crypto.cipher(crypto.new_key())
    sealed = [
        seal_row(cipher, table="children_child", row_id=uuid.uuid4(), key_id=uuid.uuid4(), values={column: v})
        for v in SMALL_SETS[column]
    ]
    assert len(_lengths(sealed, column)) == 1


def test_a_dump_alone_does_not_tell_a_childs_gender_death_former_name_or_assessment_apart():
    children = [
        child_seal(details=_details()),
        child_seal(details=_details(gender=Gender.MALE, caf_completed=True)),
        child_seal(details=_details(gender=Gender.NOT_SPECIFIED, date_of_death=date(2024, 1, 2))),
        child_seal(
            details=_details(former_names=[FormerName("Amelia", "Hughes")], former_postcodes=["BD1 1AA"])
        ),
    ]
    rows = [child.sealed for child in children]
    for column in ("gender", "date_of_death", "caf_completed", "former_names", "former_postcodes"):
        assert len(_lengths(rows, column)) == 1, column


def test_a_dump_alone_does_not_tell_a_sensitive_service_its_kind_or_basis_from_an_ordinary_one():
    def involvement(category: str | None, basis: str | None) -> InvolvementDetails:
        return InvolvementDetails(
            "Pat Example", "Nurse", ORG, sensitive_category=category, recording_basis=basis
        )

    child = child_seal(
        details=_details(),
        involvements=[
            involvement(None, None),
            *(involvement(c, b) for c in SensitiveCategory.ALL for b in RecordingBasis.ALL),
        ],
        lead_involvement=0,
    )
    rows = [columns for _, _, columns in child.involvements]
    for column in Involvement.SEALED:
        assert len(_lengths(rows, column)) == 1, column
    # A lead professional named or not: the id sealed in the child's row, or null.
    unnamed = child_seal(details=_details())
    assert len(child.sealed["lead_professional"]) == len(unnamed.sealed["lead_professional"])


def test_a_dump_alone_does_not_tell_who_has_parental_responsibility():
    child = child_seal(
        details=_details(),
        carers=[CarerDetails("Sam Thornton", "Mother"), CarerDetails("Sam Thornton", "Mother", False)],
    )
    rows = [columns for _, columns in child.carers]
    for column in Carer.SEALED:
        assert len(_lengths(rows, column)) == 1, column


def test_short_values_share_one_bucket_and_long_ones_grow_by_at_most_an_eighth():
    assert {crypto.padded_length(n) for n in range(64)} == {64}
    lengths = [crypto.padded_length(n) for n in range(20_000)]
    assert lengths == sorted(lengths)  # longer never seals shorter
    for n, padded in enumerate(lengths):
        assert padded > n  # room for the padding's marker byte
        assert padded - n <= max(64, n // 8 + 1), n
    assert len(set(lengths)) < 200  # few distinct lengths: a long text's length is told only roughly


def test_a_field_is_sealed_in_the_padded_format_and_opens_to_its_exact_value():
    key = crypto.new_key()
    values = {"a": "", "b": None, "c": "x" * 63, "d": "y" * 64, "e": "\u00eb" * 300, "f": {"k": [1, 2]}}
    sealed = seal_row(crypto.cipher(key), table="t", row_id=1, key_id=2, values=values)
    for column, value in values.items():
        blob = sealed[column]
        assert blob[:1] == crypto.FORMAT_V2
        plaintext = crypto.unseal(blob, key=key, aad=field_aad(table="t", column=column, row_id=1, key_id=2))
        assert plaintext == field_plaintext(value)
        assert field_value(plaintext) == value
        expected = (
            1 + crypto.NONCE_BYTES + crypto.padded_length(len(field_plaintext(value))) + crypto.TAG_BYTES
        )
        assert len(blob) == expected


def _sealed_v1(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """A ciphertext exactly as every field was sealed before padding: format 1, the plaintext as it is."""
    nonce = os.urandom(crypto.NONCE_BYTES)
    return crypto.FORMAT_V1 + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def test_a_field_sealed_in_the_old_unpadded_format_still_opens():
    key_row = DataKey(id=uuid.uuid4(), wrapped=b"", kek_version=1)
    key = crypto.new_key()
    row_id = uuid.uuid4()
    for value in ["Thornton", None, True, {"status": "none", "lines": []}, "Zo\u00eb"]:
        aad = field_aad(table="children_child", column="family_name", row_id=row_id, key_id=key_row.pk)
        blob = _sealed_v1(key, field_plaintext(value), aad)
        opened = Sealer(key_row, key).unseal_value(
            blob, table="children_child", row_id=row_id, column="family_name"
        )
        assert opened == value


def _aad() -> bytes:
    return field_aad(table="children_child", column="gender", row_id=1, key_id=2)


def _padded_blob(key: bytes) -> bytes:
    return seal_row(
        crypto.cipher(key), table="children_child", row_id=1, key_id=2, values={"gender": "male"}
    )["gender"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:-1], id="last byte cut"),
        pytest.param(lambda b: b[: -crypto.TAG_BYTES], id="tag cut"),
        pytest.param(lambda b: b[: 1 + crypto.NONCE_BYTES + 10] + b[-crypto.TAG_BYTES :], id="padding cut"),
        pytest.param(lambda b: b[:-20] + bytes([b[-20] ^ 1]) + b[-19:], id="padding byte changed"),
        pytest.param(lambda b: b + b"\x00", id="a byte added"),
        pytest.param(lambda b: crypto.FORMAT_V1 + b[1:], id="relabelled as the old format"),
    ],
)
def test_a_padded_ciphertext_cut_altered_or_relabelled_fails_loudly(damage):
    key = crypto.new_key()
    blob = _padded_blob(key)
    assert crypto.unseal(blob, key=key, aad=_aad()) == b'"male"'
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal(damage(blob), key=key, aad=_aad())


def test_an_old_format_ciphertext_relabelled_as_padded_fails_loudly():
    key = crypto.new_key()
    blob = _sealed_v1(key, b'"male"', _aad())
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal(crypto.FORMAT_V2 + blob[1:], key=key, aad=_aad())


@pytest.mark.parametrize("padded", [b'"male"', b'"male"\x00\x00', b"", b'"male"\x80\x01'])
def test_an_authentic_padded_ciphertext_whose_padding_is_malformed_is_refused(padded):
    """Only a holder of the key could write one (a bug, not an attacker): it is refused, not read."""
    key = crypto.new_key()
    nonce = os.urandom(crypto.NONCE_BYTES)
    blob = crypto.FORMAT_V2 + nonce + AESGCM(key).encrypt(nonce, padded, crypto.FORMAT_V2 + _aad())
    with pytest.raises(crypto.DecryptionFailed, match="padding"):
        crypto.unseal(blob, key=key, aad=_aad())


def _to_old_format() -> int:
    """Re-seal every sealed column of every row as it was written before padding (same key, same AAD)."""
    count = 0
    for spec in sealed_models():
        for row in spec.model._default_manager.all():
            key = DataKey.objects.get(pk=_key_id(row, spec.key_path))
            sealer, dek = Sealer(key), data_key_open(key)
            for column in spec.columns:
                if getattr(row, column) is None:
                    continue
                value = sealer.unseal(row, column)
                aad = field_aad(table=row._meta.db_table, column=column, row_id=row.pk, key_id=key.pk)
                setattr(row, column, _sealed_v1(dek, field_plaintext(value), aad))
                count += 1
            row.save(update_fields=list(spec.columns))
    return count


def _key_id(row, key_path: str):
    obj = row
    for part in key_path.split("__")[:-1]:
        obj = getattr(obj, part)
    return getattr(obj, f"{key_path.split('__')[-1]}_id")


def _formats() -> set[bytes]:
    return {
        bytes(getattr(row, column))[:1]
        for spec in sealed_models()
        for row in spec.model._default_manager.all()
        for column in spec.columns
        if getattr(row, column) is not None
    }


def _snapshot() -> list:
    return [
        (
            view.details.sealed_values(),
            [c.sealed_values() for c in view.carers],
            [i.details.sealed_values() for i in view.involvements],
        )
        for view in (
            child_record(c) for c in Child.objects.select_related("data_key").order_by("index_number")
        )
    ]


def test_rows_sealed_in_the_old_format_read_as_before_and_a_dek_rotation_re_seals_them_padded(world):
    make_child(world)  # with a carer
    other = make_child(world, given_names="Oscar", family_name="Pemberton", gender=Gender.MALE)
    involvement_record(
        child=other,
        by=world.alice,
        details=InvolvementDetails("Alice Example", "Social worker", world.north_social_care.pk, "0300 1"),
    )
    before = _snapshot()
    assert _formats() == {crypto.FORMAT_V2}
    assert _to_old_format() > 0
    assert _formats() == {crypto.FORMAT_V1}
    assert _snapshot() == before  # rows written before padding read as they did

    call_command("rotate_keys", "--no-progress", "--rotate-deks", stdout=StringIO())

    assert _formats() == {crypto.FORMAT_V2}
    assert _snapshot() == before


def test_a_childs_address_status_is_not_told_by_its_sealed_length():
    """Review of the session's changes (session 39, helper 14): "no known address" and "left England"
    sealed to 96 bytes, a typical known address to 128 or more, so a dump told which children have no
    known address. An address is padded to at least `ADDRESS_LEAST` bytes before its bucket."""
    from children.records import Address, AddressStatus

    cipher = crypto.cipher(crypto.new_key())

    def sealed_length(address: Address) -> int:
        sealed = seal_row(
            cipher, table="children_child", row_id="c1", key_id=7, values={"address": address.to_json()}
        )
        return len(sealed["address"])

    no_address = sealed_length(Address(status=AddressStatus.NO_KNOWN_ADDRESS))
    left = sealed_length(Address(status=AddressStatus.LEFT_ENGLAND, return_intention="does_not_intend"))
    typical = sealed_length(Address(lines=["12 Acacia Avenue", "Leeds"], postcode="LS1 4AP"))
    longer = sealed_length(
        Address(
            lines=["Flat 3, Holly House", "112 Harrogate Road", "Chapel Allerton", "Leeds"],
            postcode="LS7 4NY",
        )
    )
    assert no_address == left == typical == longer


def test_a_padded_address_opens_to_exactly_what_was_sealed():
    from children.records import Address

    cipher = crypto.cipher(crypto.new_key())
    address = Address(lines=["12 Acacia Avenue", "Leeds"], postcode="LS1 4AP").to_json()
    sealed = seal_row(cipher, table="children_child", row_id="c1", key_id=7, values={"address": address})
    aad = field_aad(table="children_child", column="address", row_id="c1", key_id=7)
    assert field_value(crypto.unseal(sealed["address"], key=cipher, aad=aad)) == address
