"""Own-address searches (2009: users searched their own relatives) are flagged, alerted and audited.

A practitioner's home postcode is held as a blind token (`accounts.home_postcode`). A search typed with
it, or one showing a child who lives there, raises an alert for the searcher's own LA team.
"""

from django.core import mail
from django.urls import reverse

from accounts.home_postcode import home_postcode_token
from audit.models import AuditEvent
from audit.tags import AuditTag
from oversight.models import Alert, AlertKind
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child

HOME = "LS2 7QQ"


def _at_home(user, postcode=HOME):
    user.home_postcode_token = home_postcode_token(postcode)
    user.save(update_fields=["home_postcode_token"])
    return user


def _search(client, **data):
    return client.post(reverse("children:search"), {"family_name": "Thornton", **data}, follow=True)


def _by_date(client, **extra):
    return _search(client, dob_day="4", dob_month="3", dob_year="2015", **extra)


def test_a_search_typed_with_the_searchers_home_postcode_alerts_their_la_team(
    world, django_capture_on_commit_callbacks
):
    make_child(world, postcode=HOME)
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out once the search commits
        response = _search(signed_in(_at_home(world.alice)), postcode="ls2 7qq")
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.OWN_ADDRESS_SEARCH
    assert alert.local_authority == world.north
    assert alert.raised_by == world.alice
    assert alert.child_id is None
    assert [m.to for m in mail.outbox] == [[world.lena.email]]
    page = rendered(response, heading="Find a child")
    assert (
        "flagged for review by your local authority ContactPoint team because it involves your own home postcode"
        in page
    )


def test_a_search_showing_a_child_who_lives_at_the_searchers_home_postcode_alerts(world):
    child = make_child(world, postcode=HOME)  # found by name and date of birth, no postcode typed
    page = rendered(_by_date(signed_in(_at_home(world.alice))), heading="Find a child")
    assert str(child.pk) in page
    assert Alert.objects.get().kind == AlertKind.OWN_ADDRESS_SEARCH
    assert "because it involves your own home postcode" in page


def test_the_search_is_audited_with_ids_and_the_rule_name_only(world):
    make_child(world, postcode=HOME)
    _by_date(signed_in(_at_home(world.alice)))
    search = AuditEvent.objects.get(tag=AuditTag.SearchPerformed)
    flagged = AuditEvent.objects.get(tag=AuditTag.MisuseSuspected)
    assert flagged.actor == world.alice
    assert flagged.additional == {
        "actor_role": "practitioner",
        "rule": "own_address",
        "alert_id": Alert.objects.get().pk,
        "search_event_id": search.pk,
    }


def test_neither_the_alert_email_nor_any_audit_event_holds_the_postcode(
    world, django_capture_on_commit_callbacks
):
    make_child(world, postcode=HOME)
    with django_capture_on_commit_callbacks(execute=True):
        _search(signed_in(_at_home(world.alice)), postcode=HOME)
    message = mail.outbox[0]
    for text in (message.subject, message.body):
        assert "LS2" not in text.upper() and "alice" not in text.lower()
    for additional in AuditEvent.objects.values_list("additional", flat=True):
        assert "LS2 7QQ" not in str(additional).upper() and "LS27QQ" not in str(additional).upper()


def test_a_search_elsewhere_raises_nothing(world):
    child = make_child(world, postcode="LS1 4AB")
    page = rendered(_by_date(signed_in(_at_home(world.alice))), heading="Find a child")
    assert str(child.pk) in page  # the search ran and found the child, who lives elsewhere
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).exists()
    assert "flagged for review" not in page


def test_nothing_is_flagged_for_a_searcher_whose_home_postcode_is_not_held(world):
    make_child(world, postcode=HOME)
    page = rendered(_search(signed_in(world.alice), postcode=HOME), heading="Find a child")
    assert "1 child found" in page
    assert not Alert.objects.exists()


def test_the_start_of_the_home_postcode_is_not_the_home_address(world):
    # A sector is thousands of households: a child found in it elsewhere is nobody's own address.
    child = make_child(world, postcode="LS2 7ZZ")
    page = rendered(_by_date(signed_in(_at_home(world.alice)), postcode="LS2 7"), heading="Find a child")
    assert str(child.pk) in page
    assert not Alert.objects.exists()


def test_a_shielded_child_at_the_home_postcode_is_never_compared_by_its_address(world):
    # A search never reads a shielded child's address, so it cannot say where the child lives, even to
    # the searcher's LA team in an alert.
    child = make_child(world, postcode=HOME, shielded=True)
    page = rendered(_by_date(signed_in(_at_home(world.alice))), heading="Find a child")
    assert str(child.pk) in page
    assert not Alert.objects.exists()


def test_repeated_own_address_searches_alert_each_time_but_never_suspend(world):
    make_child(world, postcode=HOME)
    client = signed_in(_at_home(world.alice))
    for _ in range(3):
        assert _search(client, postcode=HOME).status_code == 200
    world.alice.refresh_from_db()
    assert world.alice.suspended_at is None
    assert Alert.objects.filter(kind=AlertKind.OWN_ADDRESS_SEARCH).count() == 3


def test_a_search_for_the_searchers_own_surname_at_their_own_postcode_raises_both_alerts(world):
    make_child(world, family_name="Example", postcode=HOME)  # alice's own family name
    page = rendered(
        _search(signed_in(_at_home(world.alice)), family_name="Example", postcode=HOME),
        heading="Find a child",
    )
    kinds = sorted(Alert.objects.values_list("kind", flat=True))
    assert kinds == [AlertKind.OWN_ADDRESS_SEARCH, AlertKind.OWN_SURNAME_SEARCH]
    rules = sorted(
        e["rule"]
        for e in AuditEvent.objects.filter(tag=AuditTag.MisuseSuspected).values_list("additional", flat=True)
    )
    assert rules == ["own_address", "own_surname"]
    assert "because it involves your own home postcode" in page
