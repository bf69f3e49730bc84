"""An equal placeholder or never-issued NHS number, stored before ingest refused them (session 25), is no
evidence that two records are one child.

Ingest now refuses such a number by row (`test_ingest_placeholder_nhs_number.py`), but records stored
before still hold one, and a record judged again from what was stored (a clerical review opened before,
decided now) still carries it. The engine (`linkage.linking.Candidate.identifier_agreement`) took an
equal number as the one evidence that outweighs a differing given name: twins sharing "000 000 0000" were
linked, the second twin's row updating the first twin's record. Both ingest and the engine now ask one
predicate, `matching.nhs.nhs_number_names_no_one`.
"""

from datetime import date

import pytest

from children.models import Child, RecordStatus
from children.records import Address, ChildDetails, Gender, SourceIdentifier
from children.selectors import child_details
from children.services import child_create
from linkage.linking import IncomingRecord, canonical_identifier, link_decide
from linkage.models import ReviewReason
from matching.identity import Identity
from matching.nhs import nhs_number_names_no_one
from tests.personas import World

PLACEHOLDERS = {
    "zeros": "000 000 0000",
    "repeated": "444 444 4444",
    "never-issued": "312 000 0000",  # an unallocated range, its check digit right
}


def _isla_stored_before(world: World, number: str) -> Child:
    """Isla's record as ingest stored it before session 25, her system's placeholder as her NHS number."""
    details = ChildDetails(
        given_names="Isla",
        family_name="Fairweather",
        gender=Gender.FEMALE,
        date_of_birth=date(2018, 5, 5),
        address=Address(lines=["3 Mill Row", "Leeds"], postcode="LS1 4AB"),
        source_identifiers=[SourceIdentifier("nhs_number", number, world.north_gp.pk)],
    )
    return child_create(local_authority=world.north, details=details, carers=[], shielded=False)


def _rowan(world: World, number: str) -> IncomingRecord:
    """Isla's twin brother, everything the same but his given name and sex, with the same placeholder."""
    return IncomingRecord(
        Identity(("Fairweather",), ("Rowan",), date(2018, 5, 5), Gender.MALE, ("LS1 4AB",)),
        identifiers=(("nhs_number", canonical_identifier("nhs_number", number)),),
        local_authority_id=world.north.pk,
    )


@pytest.mark.parametrize("number", PLACEHOLDERS.values(), ids=PLACEHOLDERS.keys())
def test_twins_sharing_a_stored_placeholder_are_not_linked_on_it(world, number):
    assert nhs_number_names_no_one("".join(number.split()))
    isla = _isla_stored_before(world, number)
    decision = link_decide(record=_rowan(world, number), la_ids=frozenset({world.north.pk}))
    # A person decides, as for twins with no NHS number: never an update of Isla's record.
    assert decision.outcome == "review" and decision.reason == ReviewReason.SIBLING
    assert decision.child is None
    assert [c.child.pk for c in decision.candidates] == [isla.pk]
    stored = child_details(Child.objects.get(pk=isla.pk))
    assert (stored.given_names, stored.gender) == ("Isla", Gender.FEMALE)
    assert Child.objects.filter(status=RecordStatus.ACTIVE).count() == 1


def test_an_equal_real_nhs_number_still_links_the_twin_named_differently(world):
    """The evidence stays for a number someone was issued: it outweighs the differing given name."""
    assert not nhs_number_names_no_one("9434765919")
    isla = _isla_stored_before(world, "943 476 5919")
    decision = link_decide(record=_rowan(world, "943 476 5919"), la_ids=frozenset({world.north.pk}))
    assert decision.outcome == "update" and decision.child is not None and decision.child.pk == isla.pk


@pytest.mark.parametrize(
    ("digits", "names_no_one"),
    [
        ("0000000000", True),
        ("9999999999", True),
        ("0000000019", True),  # below every range
        ("5123456780", True),  # the reserved range (the check digit is ingest's rule, not this one's)
        ("8712345670", True),  # unallocated
        ("9434765919", False),
        ("943 476 5919", False),  # not ten digits: not this predicate's to judge
    ],
)
def test_the_one_predicate(digits, names_no_one):
    assert nhs_number_names_no_one(digits) is names_no_one
