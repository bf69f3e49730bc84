"""A child who moved is found by the postcode the practitioner holds, even the previous one (issue #9).

The index keeps a child's last postcodes (sealed, never shown) and files them under the current
postcode's keys, hidden like them: a shielded child is never found through any of them.
"""

from dataclasses import replace
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child
from children.records import FORMER_POSTCODES_KEPT, Address, former_postcodes_after_move
from children.search import SearchCriteria, _visible_active, child_search
from children.selectors import child_details
from children.services import blocking_digests, child_details_update
from tests.journeys import signed_in
from tests.personas import make_child

OLD = "LS1 4AB"  # make_child's postcode
NEW = "HG1 2AB"
PREVIOUS = "Postcode matches a previous address"


def _move(child: Child, postcode: str | None) -> None:
    """An address change as a feed or the LA team writes it (through the one update service)."""
    child = Child.objects.get(pk=child.pk)
    details = child_details(child)
    address = Address(lines=["3 New Row", "Harrogate"], postcode=postcode) if postcode else Address("none")
    child_details_update(child=child, details=replace(details, address=address), columns=["address"], by=None)


def _ids(**criteria) -> list[object]:
    """Who a practitioner's search finds (Alice, a social worker in the child's LA)."""
    outcome = child_search(criteria=SearchCriteria(**criteria), fetched_by=User.objects.get(username="alice"))
    return [r.child.pk for r in outcome.results]


def _results_page(client, **criteria) -> str:
    response = client.post(reverse("children:search"), criteria, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<main") :]


def test_a_child_who_moved_is_found_by_the_old_postcode_and_by_the_new_one(world, child):
    _move(child, NEW)
    alice = signed_in(world.alice)
    by_old = _results_page(alice, family_name="Thornton", postcode=OLD)
    assert "Amelia Thornton" in by_old
    assert f"Family name matches, {PREVIOUS.lower()}" in by_old
    assert OLD not in by_old and NEW not in by_old  # the page says which address matched, never shows it
    by_new = _results_page(alice, family_name="Thornton", postcode=NEW)
    assert "Amelia Thornton" in by_new
    assert "Family name matches, postcode matches" in by_new and "previous address" not in by_new


def test_a_search_by_a_previous_postcode_is_audited_like_any_search(world, child):
    _move(child, NEW)
    assert _ids(family_name="Thornton", postcode=OLD) == [child.pk]
    event = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    assert event.actor == world.alice
    assert event.additional["result_ids"] == [str(child.pk)]
    assert set(event.additional["criteria"]) == {"family_name", "postcode"}
    assert "THORNTON" not in str(event.additional).upper() and "LS1" not in str(event.additional).upper()


def test_a_previous_postcode_with_a_family_typo_or_a_sector_slip_still_finds_the_child(world, child):
    _move(child, NEW)
    assert _ids(family_name="Thorntun", postcode=OLD) == [child.pk]
    assert _ids(family_name="Thornton", date_of_birth=date(2015, 3, 4), postcode="LS1 4") == [child.pk]


def test_a_child_with_no_known_address_is_found_by_its_last_postcode(world, child):
    _move(child, None)
    assert child_details(Child.objects.get(pk=child.pk)).former_postcodes == [OLD]
    assert _ids(family_name="Thornton", postcode=OLD) == [child.pk]


def test_every_key_a_former_postcode_adds_is_hidden(world, child):
    _move(child, NEW)
    details = child_details(Child.objects.get(pk=child.pk))
    without = set(blocking_digests(replace(details, former_postcodes=[])))
    added = set(blocking_digests(details)) - without
    assert added and all(hidden for _, hidden in added)
    filed = set(BlockingKeyEntry.objects.filter(child=child).values_list("digest", "hidden"))
    assert added <= filed


def test_a_shielded_child_is_never_found_by_a_former_postcode_however_mistyped(world, shielded_child):
    _move(shielded_child, NEW)
    details = child_details(Child.objects.get(pk=shielded_child.pk))
    assert details.former_postcodes == ["LS6 2QT"]
    # Not even a candidate: the SQL filter drops every key the former postcode added (all hidden).
    added = {d for d, _ in blocking_digests(details)} - {
        d for d, _ in blocking_digests(replace(details, former_postcodes=[]))
    }
    assert added and not _visible_active(added).filter(child=shielded_child).exists()
    for criteria in (
        {"family_name": "Okafor", "postcode": "LS6 2QT"},
        {"family_name": "okafor", "postcode": "ls62qt"},
        {"family_name": "Okafer", "postcode": "LS6 2QT"},
        {"family_name": "Okafor", "postcode": "LS6 2QZ"},
        {"family_name": "Okafor", "given_name": "Jasmin", "postcode": "LS6 2QT"},
        {"family_name": "Okafor", "postcode": NEW},
    ):
        assert _ids(**criteria) == [], criteria
    # Found by name and date of birth, as any shielded child is: the line never mentions a postcode.
    page = _results_page(
        signed_in(world.alice),
        family_name="Okafor",
        dob_day="4",
        dob_month="3",
        dob_year="2015",
        postcode="LS6 2QT",
    )
    assert "Jasmine Okafor" in page
    assert "ostcode" not in page[page.index("cp-why") :][:200] and "previous address" not in page


def test_a_child_shielded_after_moving_is_no_longer_found_by_the_old_postcode(world, child):
    _move(child, NEW)
    assert _ids(family_name="Thornton", postcode=OLD) == [child.pk]
    Child.objects.filter(pk=child.pk).update(shielded=True)  # as a merge with a shielded record does
    assert _ids(family_name="Thornton", postcode=OLD) == []
    assert _ids(family_name="Thornton", postcode=NEW) == []
    assert _ids(family_name="Thornton", date_of_birth=date(2015, 3, 4)) == [child.pk]


def test_only_the_last_three_postcodes_are_kept_newest_first(world, child):
    moves = ["LS2 7AA", "LS3 8BB", "LS4 9DD", "LS5 1EE"]
    for postcode in moves:
        _move(child, postcode)
    details = child_details(Child.objects.get(pk=child.pk))
    assert FORMER_POSTCODES_KEPT == 3
    assert details.former_postcodes == ["LS4 9DD", "LS3 8BB", "LS2 7AA"]
    assert _ids(family_name="Thornton", postcode="LS2 7AA") == [child.pk]
    assert _ids(family_name="Thornton", postcode=OLD) == []  # four moves ago: no longer kept


def test_moving_back_makes_the_old_postcode_current_again(world, child):
    _move(child, NEW)
    _move(child, OLD)
    assert child_details(Child.objects.get(pk=child.pk)).former_postcodes == [NEW]
    outcome = child_search(criteria=SearchCriteria("Thornton", postcode=OLD), fetched_by=world.alice)
    assert outcome.results[0].why == "Family name matches, postcode matches"


def test_former_postcodes_are_normalised_deduplicated_and_bounded():
    assert former_postcodes_after_move(previous="ls1 4ab", current="HG1 2AB", kept=["LS1 4AB", "M1 1AA"]) == [
        "LS1 4AB",
        "M1 1AA",
    ]
    assert former_postcodes_after_move(previous=None, current="M1 1AA", kept=["LS1 4AB", "M1 1AA"]) == [
        "LS1 4AB"
    ]
    assert former_postcodes_after_move(
        previous="A1 1AA", current=None, kept=["B1 1BB", "C1 1CC", "D1 1DD"]
    ) == [
        "A1 1AA",
        "B1 1BB",
        "C1 1CC",
    ]


def test_a_record_written_before_former_postcodes_were_kept_reads_as_none_and_moves_normally(world, child):
    Child.objects.filter(pk=child.pk).update(former_postcodes=None)
    stored = Child.objects.get(pk=child.pk)
    assert stored.former_postcodes is None and child_details(stored).former_postcodes == []
    assert _ids(family_name="Thornton", postcode=OLD) == [child.pk]
    _move(child, NEW)
    assert child_details(Child.objects.get(pk=child.pk)).former_postcodes == [OLD]


def test_the_address_update_is_audited_with_the_address_column_only(world, child):
    _move(child, NEW)
    event = AuditEvent.objects.get(tag=AuditTag.ChildUpdated, child_id=child.pk)
    assert event.additional == {"columns": ["address"]}


def test_rebuilding_keys_keeps_former_postcodes_and_reads_old_rows(world, child):
    _move(child, NEW)
    older = make_child(world, given_names="Ruby", family_name="Lowther", postcode="M1 1AA")
    Child.objects.filter(pk=older.pk).update(former_postcodes=None)  # written before they were kept
    BlockingKeyEntry.objects.all().delete()
    call_command("rebuild_blocking_keys", stdout=StringIO())
    assert _ids(family_name="Thornton", postcode=OLD) == [child.pk]
    assert _ids(family_name="Lowther", postcode="M1 1AA") == [older.pk]
