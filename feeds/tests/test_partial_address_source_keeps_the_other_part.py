"""A source entitled to one part of an address (the street, or the town) speaks for that part only: it never
erases or replaces the part it may not supply, and repeating a part a correction replaced does not undo it.
"""

from children.models import Child
from children.selectors import child_details
from corrections.fields import field_for
from corrections.services import correction_accept, correction_raise
from feeds.sources import feed_token_issue
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_api import post
from feeds.tests.test_ingest import ingest

TOWN_ONLY = ["given_names", "family_name", "date_of_birth", "gender", "town"]
STREET_ONLY = ["given_names", "family_name", "date_of_birth", "gender", "address_line"]


def _address_lines() -> list[str]:
    return child_details(Child.objects.select_related("data_key").get()).address.lines


def test_a_source_entitled_to_the_town_only_never_erases_the_street_line(client, world):
    health = feed_token_issue(source=health_source(world))
    towns = feed_token_issue(source=health_source(world, code="towns", fields=TOWN_ONLY))
    assert post(client, health, "h1", [feed_row()]).json()["counts"]["created"] == 1  # 3 Mill Street, Leeds
    row = feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None, town="Leeds")
    body = post(client, towns, "t1", [row]).json()
    assert body["rejected"] == [], body
    assert Child.objects.count() == 1
    # The town-only source restated the town it already had: the street it may not speak for stays.
    assert _address_lines() == ["3 Mill Street", "Leeds"]


def test_a_source_entitled_to_the_street_only_never_erases_the_town(client, world):
    health = feed_token_issue(source=health_source(world))
    streets = feed_token_issue(source=health_source(world, code="streets", fields=STREET_ONLY))
    assert post(client, health, "h1", [feed_row()]).json()["counts"]["created"] == 1
    row = feed_row(record_id="S-1", nhs_number=None, town=None, postcode=None, address_line="3 Mill St")
    body = post(client, streets, "s1", [row]).json()
    assert body["rejected"] == [], body
    assert _address_lines() == ["3 Mill St", "Leeds"]


def test_a_town_only_source_with_a_new_town_keeps_the_street_and_the_postcode(world):
    health = health_source(world, trust_rank=50)
    towns = health_source(world, code="towns", fields=TOWN_ONLY, trust_rank=10)  # more trusted
    ingest(health, [feed_row()], batch_id="h1")
    ingest(
        towns, [feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None, town="Otley")]
    )
    address = child_details(Child.objects.select_related("data_key").get()).address
    assert (address.lines, address.postcode) == (["3 Mill Street", "Otley"], "LS2 7EY")


def test_a_lone_held_line_is_kept_by_a_source_speaking_for_the_other_part(world):
    """A record holding one line (a row that carried only the street) cannot say which part it is: a
    town-only source adds its town rather than erase a line it cannot know."""
    health = health_source(world)
    towns = health_source(world, code="towns", fields=TOWN_ONLY)
    ingest(health, [feed_row(town=None)], batch_id="h1")
    assert _address_lines() == ["3 Mill Street"]
    ingest(towns, [feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None)])
    assert _address_lines() == ["3 Mill Street", "Leeds"]


def test_a_town_only_source_repeating_the_town_a_correction_replaced_does_not_undo_it(world):
    health = health_source(world)
    towns = health_source(world, code="towns", fields=TOWN_ONLY)
    town_row = feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None)  # Leeds
    ingest(health, [feed_row()], batch_id="h1")
    ingest(towns, [town_row], batch_id="t1")
    corrected = {"status": "known", "lines": ["8 Fernbank Way", "Otley"], "postcode": "LS21 1AA"}
    child = Child.objects.select_related("data_key").get()
    correction = correction_raise(
        child=child, field=field_for("address"), value=corrected, reason="Moved in May", by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)
    ingest(towns, [town_row], batch_id="t2")  # again the town the correction replaced
    assert _address_lines() == ["8 Fernbank Way", "Otley"]
    ingest(
        towns, [feed_row(record_id="T-1", nhs_number=None, address_line=None, postcode=None, town="Ilkley")]
    )
    assert _address_lines() == ["8 Fernbank Way", "Ilkley"]  # a town it never said: it speaks again
