"""Undoing a merge leaves neither record naming as lead professional an involvement it does not hold
currently.

The involvements that came with the duplicate go back to the restored record. The survivor's lead
professional, named while the records were one from such an involvement, stayed on the survivor: it named
another child's involvement (its record page showed another child's practitioner as lead). And the
restored record was rebuilt with the duplicate's lead as it was at the merge, though that involvement had
ended since: it named an ended involvement as lead, which `involvement_cease` never leaves. The unmerge
now clears the survivor's lead if it names an involvement going back (audited as a lead professional
change, by the person undoing the merge), and gives the restored record its old lead only if that
involvement is on it and still current.
"""

import re
from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child, Involvement
from children.records import InvolvementDetails
from children.selectors import child_details
from children.services import involvement_cease, involvement_record, lead_professional_set
from linkage.merging import child_merge, child_unmerge
from linkage.tests.test_merge_pages import _pair
from tests.journeys import signed_in, state_purpose


def _lead(child: Child) -> str | None:
    return child_details(Child.objects.get(pk=child.pk)).lead_professional_id


def _lead_cell(world, child: Child) -> str:
    client = signed_in(world.lena)
    state_purpose(client, child)
    page = client.get(reverse("children:record", args=[child.pk])).content.decode()
    found = re.search(r'id="lead-professional">(.*?)</dd>', page, re.S)
    assert found is not None
    return found.group(1).strip()


def test_a_lead_named_from_the_duplicates_involvement_while_merged_leaves_the_survivor_on_undo(world):
    survivor, duplicate = _pair(world)
    alices = Involvement.objects.get(child=duplicate)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")
    lead_professional_set(child=Child.objects.get(pk=survivor.pk), by=world.lena, involvement=alices)
    assert "Alice Example" in _lead_cell(world, survivor)

    restored = child_unmerge(merge=merge, by=world.lena, reason="not the same child")

    assert Involvement.objects.get(pk=alices.pk).child_id == restored.pk  # it went back
    assert _lead(survivor) is None
    assert "Alice Example" not in _lead_cell(world, survivor)
    cleared = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet, child_id=survivor.pk).latest("pk")
    assert cleared.actor_id == world.lena.pk
    assert cleared.additional["involvement_id"] is None and cleared.additional["changed"] is True
    # Its own record had no lead at the merge: it is given none.
    assert _lead(restored) is None


def test_the_survivors_own_lead_stays_on_undo(world):
    survivor, duplicate = _pair(world)
    lenas = involvement_record(
        child=Child.objects.get(pk=survivor.pk),
        by=world.lena,
        details=InvolvementDetails("Lena Example", "LA team", world.north.pk, started_on=date(2024, 1, 1)),
    )
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")
    lead_professional_set(child=Child.objects.get(pk=survivor.pk), by=world.lena, involvement=lenas)
    leads_before = AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).count()

    child_unmerge(merge=merge, by=world.lena, reason="not the same child")

    assert _lead(survivor) == str(lenas.pk)
    assert AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).count() == leads_before


def test_the_restored_record_gets_its_lead_back_while_that_involvement_is_current(world):
    survivor, duplicate = _pair(world)
    alices = Involvement.objects.get(child=duplicate)
    lead_professional_set(child=Child.objects.get(pk=duplicate.pk), by=world.lena, involvement=alices)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")

    restored = child_unmerge(merge=merge, by=world.lena, reason="not the same child")

    assert _lead(restored) == str(alices.pk)
    assert "Alice Example" in _lead_cell(world, restored)


def test_the_restored_record_never_names_an_involvement_ended_while_merged_as_lead(world):
    survivor, duplicate = _pair(world)
    alices = Involvement.objects.get(child=duplicate)
    lead_professional_set(child=Child.objects.get(pk=duplicate.pk), by=world.lena, involvement=alices)
    merge = child_merge(survivor=survivor, duplicate=duplicate, by=world.lena, reason="same child")
    involvement_cease(
        involvement=Involvement.objects.get(pk=alices.pk), by=world.alice, ended_on=date(2026, 11, 1)
    )

    restored = child_unmerge(merge=merge, by=world.lena, reason="not the same child")

    assert Involvement.objects.get(pk=alices.pk).child_id == restored.pk
    assert _lead(restored) is None
    assert "Alice Example" not in _lead_cell(world, restored)
