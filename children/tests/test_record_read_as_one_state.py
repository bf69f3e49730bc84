"""The record page decrypts the child's row first and its carers and involvements after it: a merge (or a
shield) committing between those reads must never show a shielded record's details in full.

Review, session 25. A practitioner opened an ordinary record; the LA team merged a shielded duplicate
into it (the survivor becomes shielded, the duplicate's carers and involvements move onto it) while the
page was being read. The page had judged "full view" on the row read before the merge, then listed the
carers and involvements as they were after it: the shielded child's carers, with their address and phone
(the location shielding hides), shown in full to an ordinary practitioner. PostgreSQL, real writers: the
merge runs in its own thread and connection, committing between the page's two reads.
"""

import threading
from datetime import date
from typing import Any

from django.db import connections
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children import views
from children.records import Address, CarerDetails, ChildDetails, Gender, InvolvementDetails
from children.services import child_create, involvement_record
from linkage.merging import child_merge
from tests.concurrency import postgresql_race
from tests.journeys import INVOLVEMENT_FORM, signed_in
from tests.pages import rendered, without_tokens
from tests.personas import make_child

pytestmark = postgresql_race()

REFUGE_PHONE = "07700 900555"
REFUGE_ADDRESS = "Flat 3, 9 Refuge Row, Leeds LS6 2QT"


def _shielded_duplicate(world: Any):
    """The same child as her school knows her, shielded, her mother's contact details at the refuge."""
    details = ChildDetails(
        given_names="Amelia",
        family_name="Thornton",
        gender=Gender.FEMALE,
        date_of_birth=date(2015, 3, 4),
        address=Address(lines=["9 Refuge Row", "Leeds"], postcode="LS6 2QT"),
    )
    carers = [
        CarerDetails(name="Rosa Thornton", relationship="mother", phone=REFUGE_PHONE, address=REFUGE_ADDRESS)
    ]
    return child_create(local_authority=world.north, details=details, carers=carers, shielded=True)


def _merged_between_the_reads(
    monkeypatch: Any, world: Any, *, survivor: Any, duplicate: Any, view: str
) -> None:
    """`view`'s read of the record's parts waits for the LA team's merge, committed by another connection."""
    original = getattr(views, view)

    def after_a_merge(*args: Any, **kwargs: Any) -> Any:
        failures: list[BaseException] = []

        def merge() -> None:
            try:
                child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="one child")
            except BaseException as error:  # re-raised in the test's thread
                failures.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=merge)
        thread.start()
        thread.join(timeout=30)
        assert not failures, failures
        return original(*args, **kwargs)

    monkeypatch.setattr(views, view, after_a_merge, raising=True)


def test_a_shielded_duplicate_merged_in_while_the_page_is_read_is_not_shown_in_full(world, monkeypatch):
    survivor = make_child(world)
    duplicate = _shielded_duplicate(world)
    client = signed_in(world.alice)
    client.post(reverse("children:purpose", args=[survivor.pk]), {"purpose": "providing_service"})
    _merged_between_the_reads(monkeypatch, world, survivor=survivor, duplicate=duplicate, view="child_record")

    page = rendered(client.get(reverse("children:record", args=[survivor.pk])), heading="Amelia Thornton")

    assert REFUGE_PHONE not in page
    assert "Refuge Row" not in page
    assert "Rosa Thornton" not in page
    assert 'id="shielded-notice"' in page  # the restricted view, as the record now is
    viewed = AuditEvent.objects.get(tag=AuditTag.RecordViewed, actor=world.alice)
    assert viewed.child_id == survivor.pk
    assert viewed.additional["restricted_view"] is True


def test_the_lead_professional_page_never_offers_a_merged_in_shielded_childs_services(world, monkeypatch):
    """The same race on the lead professional page, which lists the record's current involvements."""
    survivor = make_child(world)
    duplicate = _shielded_duplicate(world)
    involvement_record(
        child=duplicate,
        by=world.lena,
        details=InvolvementDetails(
            practitioner_name="Kwame Refuge-Worker", role="Refuge key worker", organisation_id=world.north.pk
        ),
    )
    client = signed_in(world.alice)
    client.post(reverse("children:purpose", args=[survivor.pk]), {"purpose": "providing_service"})
    # involved, alice may name the lead professional of the (ordinary) record
    recorded = client.post(reverse("children:involvement_new", args=[survivor.pk]), INVOLVEMENT_FORM)
    assert recorded.status_code == 302
    _merged_between_the_reads(monkeypatch, world, survivor=survivor, duplicate=duplicate, view="child_record")

    response = client.get(reverse("children:lead_professional", args=[survivor.pk]))

    page = without_tokens(response.content.decode())
    assert "Kwame" not in page
    assert "Refuge key worker" not in page
    assert response.status_code == 403  # the record is shielded now: refused as any such request is
