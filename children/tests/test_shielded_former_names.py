"""A shielded record's former names are hidden from ordinary practitioners (the restricted view shows only
the current name, gender, date of birth and index number), so, like its postcode, a search on them must not
find it (domain.md: "A search on a hidden field (e.g. postcode) must not find a shielded record").

Review, session 23. A child whose family changed its name to escape someone (the shielding case:
domestic violence) was found by the old family name and date of birth, and the results page then gave the
searcher the new family name and the local authority that holds the child. Keys only a former name gives
are now filed `hidden` (`matching.blocking.record_keys`) and a shielded candidate is scored without its
former names (`matching.scoring.score`, `use_hidden=False`), as it is without its address.
"""

from datetime import date

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.records import FormerName
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child


def _renamed_and_shielded(world):
    """Jasmine Okafor, once Jasmine Whitlock, shielded."""
    return make_child(
        world,
        given_names="Jasmine",
        family_name="Okafor",
        postcode="LS6 2QT",
        date_of_birth=date(2014, 6, 7),
        shielded=True,
        former_names=[FormerName("Jasmine", "Whitlock")],
    )


def _results(world, family_name):
    """Bob's search for the family name and the date of birth, as the results page shows it."""
    return rendered(
        signed_in(world.bob).post(
            reverse("children:search"),
            {"family_name": family_name, "dob_day": "7", "dob_month": "6", "dob_year": "2014"},
            follow=True,
        ),
        heading="Find a child",
    )


def test_a_shielded_child_is_not_found_by_a_former_family_name(world):
    shielded = _renamed_and_shielded(world)
    page = _results(world, "Whitlock")
    assert "Okafor" not in page
    assert "Northshire Council" not in page
    searched = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert str(shielded.pk) not in searched.additional["result_ids"]


def test_a_shielded_child_is_still_found_by_its_current_name(world):
    """The control: the current name and date of birth find it, restricted as always."""
    _renamed_and_shielded(world)
    page = _results(world, "Okafor")
    assert "Jasmine Okafor" in page and "Address withheld" in page
    assert "Whitlock" not in page
