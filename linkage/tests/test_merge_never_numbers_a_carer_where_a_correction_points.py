"""A merge never numbers a carer at a position a pending correction of the survivor still names.

A carer correction names a position ("parent or carer 2"), not a person. An unmerge takes the carers a
merge brought back to the restored record, leaving their positions free on the survivor, and a correction
raised there while the records were one still names one of them. A later merge numbered the next
duplicate's carers from the survivor's highest own position: the first took the freed position, and the
pending correction named it, so the LA team was shown that carer's detail (a shielded duplicate's refuge
phone, on a record now shielded) as "the record says", and accepting it overwrote that carer's phone.
"""

from django.db import transaction

from children.models import Carer, Child
from corrections.fields import current_value, field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import correction_raise
from linkage.merging import child_merge, child_unmerge
from linkage.models import ChildMerge
from tests.personas import make_child
from vault.sealing import Sealer

REFUGE_PHONE = "07700 900456"


def test_a_pending_correction_of_a_carer_that_went_back_never_names_the_next_merged_carer(world, child):
    brought = make_child(world, given_names="Amelia", family_name="Thornton", postcode="LS2 9JT")
    merge = child_merge(survivor=child, duplicate=Child.objects.get(pk=brought.pk), by=world.lena)
    assert Carer.objects.filter(child=child, position=1).exists()  # the brought carer, numbered after
    correction = correction_raise(
        child=Child.objects.get(pk=child.pk),
        field=field_for("carer-1-phone"),
        value="07700 900111",
        reason="The carer gave a new number",
        by=world.alice,
    )
    child_unmerge(merge=ChildMerge.objects.get(pk=merge.pk), by=world.lena, reason="Two children")
    assert not Carer.objects.filter(child=child, position=1).exists()  # gone back with the restored record

    shielded = make_child(world, given_names="Amelia", family_name="Thornton", shielded=True)
    with transaction.atomic():
        carer = Carer.objects.get(child=shielded)
        Sealer(shielded.data_key).seal(carer, "phone", REFUGE_PHONE)
        carer.save(update_fields=["phone"])
    child_merge(
        survivor=Child.objects.get(pk=child.pk), duplicate=Child.objects.get(pk=shielded.pk), by=world.lena
    )

    pending = Correction.objects.get(pk=correction.pk)
    assert pending.status == CorrectionStatus.PENDING and pending.field == "carer-1-phone"
    survivor = Child.objects.get(pk=child.pk)
    assert current_value(survivor, field_for(pending.field)) is None  # names no carer: not the refuge's
    positions = sorted(Carer.objects.filter(child=child).values_list("position", flat=True))
    assert positions == [0, 2]
