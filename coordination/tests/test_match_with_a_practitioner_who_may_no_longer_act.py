"""A match tells a practitioner whom to contact about the child. Once the other practitioner's account is
suspended (perhaps for misuse), closed (they have gone) or no longer vetted, the inbox still gave their
name, phone and email as the person to call: a vetted practitioner would then discuss the child with
someone the index has shut out (a confused deputy, by phone). While the rules refuse that practitioner,
the inbox gives the child's LA team as the contact, as it does for a service it may not name, and offers
nothing to do with them; once they are reinstated, they are the contact again."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from accounts.services import account_close, account_reinstate, account_suspend
from coordination.tests.support import inbox_page, record, school_teacher
from coordination.tests.test_lead_professional import _matched

CAROLS = ("Carol Example", "0113 496 0101", "carol@example.org")
BROKERED = "The LA team can broker contact"


def _names_carol(page: str) -> bool:
    return any(detail in page for detail in CAROLS)


def test_a_practitioner_suspended_since_the_match_is_no_longer_given_as_the_contact(world, child):
    carol, *_ = _matched(world, child)
    assert _names_carol(inbox_page(world.alice))

    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")

    page = inbox_page(world.alice)
    assert not _names_carol(page)
    assert BROKERED in page and "Northshire Council" in page
    assert "Offer to be lead professional" not in page


def test_a_practitioner_whose_account_was_closed_is_no_longer_given_as_the_contact(world, child):
    carol, *_ = _matched(world, child)
    account_close(user=carol, by=world.lena)
    page = inbox_page(world.alice)
    assert not _names_carol(page) and BROKERED in page


def test_a_practitioner_whose_training_lapsed_is_no_longer_given_as_the_contact(world, child):
    carol, *_ = _matched(world, child)
    User.objects.filter(pk=carol.pk).update(training_completed_on=timezone.localdate() - timedelta(days=800))
    page = inbox_page(world.alice)
    assert not _names_carol(page) and BROKERED in page


def test_a_match_made_with_a_suspended_practitioners_involvement_gives_the_la_team(world, child):
    carol = school_teacher(world)
    record(child, carol, role="Class teacher")
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")
    record(child, world.alice, role="Allocated social worker")
    page = inbox_page(world.alice)
    assert "Another practitioner is also working with this child" in page
    assert not _names_carol(page) and BROKERED in page


def test_a_reinstated_practitioner_is_the_contact_again(world, child):
    carol, *_ = _matched(world, child)
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")
    account_reinstate(user=User.objects.get(pk=carol.pk), by=world.lena)
    page = inbox_page(world.alice)
    assert all(detail in page for detail in CAROLS) and BROKERED not in page
    assert "Offer to be lead professional" in page


def test_a_siblings_suspended_practitioner_is_brokered_by_the_recipients_own_childs_la(world, child):
    # Oliver's record is held by Southborough; his GP (Carol, suspended since) was matched with Alice
    # through their mother. Alice is given her own child's LA team, never told where Oliver's record is.
    from tests.personas import make_child

    oliver = make_child(world, given_names="Oliver", postcode="LS9 9ZZ", la=world.south)
    carol = school_teacher(world)
    record(child, world.alice, role="Allocated social worker")
    record(oliver, carol, role="Class teacher")
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")
    page = inbox_page(world.alice)
    assert "another child in this family" in page
    assert not _names_carol(page) and BROKERED in page
    assert "Northshire Council" in page and "Southborough" not in page
