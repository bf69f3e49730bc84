"""An export's reference and decision reason are sealed under its own key, and die with a child it names."""

import copy

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, RecordStatus
from disclosure.models import DisclosureExport, ExportStatus
from disclosure.selectors import export_notes
from disclosure.services import export_decide, export_request
from lifecycle.services import closed_record_purge
from tests.personas import make_child, make_user
from vault.crypto import DecryptionFailed
from vault.models import DataKey
from vault.sealing import Sealer

REFERENCE = "CO-2026-118 re Quillbottom"
REASON = "Order names Zephyrinella Quillbottom"


@pytest.fixture
def leo(world):
    return make_user("leo", world.north, Role.LA_TEAM)


def _decided(world, leo, children):
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference=REFERENCE,
        children=children,
        fields=["name"],
    )
    return export_decide(export=export, by=leo, approve=True, reason=REASON)


def _stored(export) -> bytes:
    """Every column of the stored row, as a copy of the database holds it."""
    values = DisclosureExport.objects.filter(pk=export.pk).values().get()
    return b"|".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in values.values()
    )


def test_the_reference_and_decision_reason_are_sealed_under_the_exports_own_key(world, leo, child):
    export = _decided(world, leo, [child])
    stored = _stored(export)
    assert b"Quillbottom" not in stored and b"CO-2026-118" not in stored
    assert export.data_key_id not in (child.data_key_id, None)
    fresh = DisclosureExport.objects.select_related("data_key").get(pk=export.pk)
    assert export_notes(fresh).reference == REFERENCE and export_notes(fresh).decision_reason == REASON


def test_a_pending_request_seals_an_empty_reason_so_it_looks_like_a_decided_one(world, child):
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="crime",
        reference="POL-77",
        children=[child],
        fields=["name"],
    )
    fresh = DisclosureExport.objects.select_related("data_key").get(pk=export.pk)
    assert bytes(fresh.decision_reason) != b""
    assert export_notes(fresh).decision_reason == ""


def test_purging_a_child_an_export_names_shreds_its_reference_and_reason(world, leo, child):
    other = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    export = _decided(world, leo, [child, other])
    row, key = copy.deepcopy(export), copy.deepcopy(DataKey.objects.get(pk=export.data_key_id))
    assert Sealer(key).unseal(row, "reference") == REFERENCE  # the backup opens before the purge
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    assert closed_record_purge(child_id=child.pk)
    for column in ("reference", "decision_reason"):
        with pytest.raises(DecryptionFailed):
            Sealer(key).unseal(row, column)
    fresh = DisclosureExport.objects.get(pk=export.pk)
    assert bytes(fresh.reference) == b"" and bytes(fresh.decision_reason) == b""
    assert fresh.notes_shredded_at is not None and export_notes(fresh).destroyed
    # What the auditor needs stays: the lawful basis, the fields, who asked and decided, and when.
    assert fresh.status == ExportStatus.APPROVED and fresh.lawful_basis == "court_order"
    assert fresh.fields == ["name"] and fresh.requested_by == world.lena and fresh.decided_by == leo
    assert list(fresh.children.all()) == [other]


def test_the_purge_audits_the_exports_it_destroyed_with_counts_only(world, leo, child):
    _decided(world, leo, [child])
    Child.objects.filter(pk=child.pk).update(status=RecordStatus.CLOSED)
    closed_record_purge(child_id=child.pk)
    event = AuditEvent.objects.get(tag=AuditTag.ChildCopiesShredded, child_id=child.pk)
    assert event.actor is None and event.additional == {"disclosure_exports_shredded": 1}


def test_an_export_of_a_child_who_is_not_purged_keeps_its_notes(world, leo, child):
    export = _decided(world, leo, [child])
    other = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    Child.objects.filter(pk=other.pk).update(status=RecordStatus.CLOSED)
    closed_record_purge(child_id=other.pk)
    fresh = DisclosureExport.objects.select_related("data_key").get(pk=export.pk)
    assert export_notes(fresh).reference == REFERENCE


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_notes_of_exports_written_in_clear(world, child):
    """Rows from before the change: each gets its own key, both values sealed, the clear columns gone."""
    executor = MigrationExecutor(connection)
    executor.migrate([("disclosure", "0001_disclosure_export")])
    old_apps = executor.loader.project_state([("disclosure", "0001_disclosure_export")]).apps
    OldExport = old_apps.get_model("disclosure", "DisclosureExport")
    old = OldExport.objects.create(
        local_authority_id=world.north.pk,
        requested_by_id=world.lena.pk,
        lawful_basis="crime",
        reference=REFERENCE,
        fields=["name"],
        status="refused",
        decision_reason=REASON,
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    export = DisclosureExport.objects.select_related("data_key").get(pk=old.pk)
    assert b"Quillbottom" not in _stored(export)
    assert export_notes(export).reference == REFERENCE and export_notes(export).decision_reason == REASON
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "disclosure_disclosureexport"
        )
    }
    assert "reference_clear" not in columns and "decision_reason_clear" not in columns
