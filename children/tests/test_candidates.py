"""Candidates read as values (children.candidates) keep every vault rule a model instance kept: the AAD
binding, shredding, decrypt-on-read, and a Child made only when asked, holding what was fetched."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.candidates import candidate_rows
from children.models import Child
from children.records import IDENTITY_COLUMNS
from tests.personas import make_child
from vault.crypto import DecryptionFailed
from vault.keys import KeyShredded, data_key_shred
from vault.sealing import Sealer


def _row(child: Child):
    (row,) = candidate_rows(Child.objects.filter(pk=child.pk), (*IDENTITY_COLUMNS, "source_identifiers"))
    return row


def _reads(monkeypatch) -> list[str]:
    read: list[str] = []
    unseal = Sealer.unseal_value

    def recording(self, blob, *, table, row_id, column):
        read.append(column)
        return unseal(self, blob, table=table, row_id=row_id, column=column)

    monkeypatch.setattr(Sealer, "unseal_value", recording)
    return read


def test_a_candidate_decrypts_a_column_only_when_it_is_read_and_only_once(world, monkeypatch):
    row = _row(make_child(world, given_names="Amelia", family_name="Thornton"))
    read = _reads(monkeypatch)

    assert read == []
    assert row["family_name"] == "Thornton"
    assert row["family_name"] == "Thornton"
    assert row["source_identifiers"][0]["scheme"] == "nhs_number"
    assert read == ["family_name", "source_identifiers"]


def test_a_candidate_made_a_child_carries_what_was_fetched_without_another_statement(world):
    child = make_child(world, shielded=True)
    row = _row(child)

    with CaptureQueriesContext(connection) as statements:
        made = row.child
        shown = (made.pk, made.index_number, made.shielded, made.status, made.local_authority.name)
        key = (made.data_key.pk, bytes(made.data_key.wrapped), made.data_key.kek_version)

    assert len(statements) == 0
    assert shown == (child.pk, child.index_number, True, child.status, world.north.name)
    assert key == (child.data_key.pk, bytes(child.data_key.wrapped), child.data_key.kek_version)
    assert row.child is made  # made once
    assert made.family_name is not None and Sealer(made.data_key).unseal(made, "family_name") == "Thornton"


def test_a_shredded_childs_candidate_cannot_be_decrypted(world):
    child = make_child(world)
    data_key_shred(child.data_key)
    row = _row(child)

    with pytest.raises(KeyShredded):
        row["family_name"]


def test_a_ciphertext_copied_into_another_childs_row_fails_to_decrypt_as_a_candidate(world):
    """The AAD binds a value to its row: read as values, a column copied from one child to another (a
    database-level swap) still fails rather than showing the first child's name as the second's."""
    first = make_child(world, family_name="Thornton")
    second = make_child(world, family_name="Okafor")
    Child.objects.filter(pk=second.pk).update(family_name=Child.objects.get(pk=first.pk).family_name)

    with pytest.raises(DecryptionFailed):
        _row(second)["family_name"]


def test_a_candidate_read_without_its_local_authoritys_name_loads_it_only_if_asked(world):
    """Feed linkage never shows the local authority, so does not join it; a Child made from such a row
    still gives the right one, read when first asked for."""
    child = make_child(world)
    (row,) = candidate_rows(Child.objects.filter(pk=child.pk), IDENTITY_COLUMNS, la_name=False)

    with CaptureQueriesContext(connection) as statements:
        made = row.child
        assert made.local_authority_id == world.north.pk and row["family_name"] == "Thornton"
    assert len(statements) == 0
    with CaptureQueriesContext(connection) as statements:
        assert made.local_authority.name == world.north.name
    assert len(statements) == 1
