"""An invitation says a username or an email address is taken only once the rest of the invitation is
valid, audits every such answer, and stops answering after a small limit an hour.

Before, the form answered "That username is already in use" for any account in the country (a national
auditor's, a system administrator's), and "Another open account already uses this email address" for any
open account's address, even when nothing else on the form was filled in: nothing was created and nothing
was audited, so any LA team member could test names and addresses nationally without trace, against
docs/SECURITY.md's "No user enumeration". The correction of an invited account's address asked the same.
"""

from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import TAG_LABELS, AuditTag
from team.forms import EMAIL_TAKEN, IN_USE_LIMITED, IN_USE_REFUSALS, USERNAME_IN_USE, USERNAME_LOOKS_TAKEN
from tests.invitations import invitation_form
from tests.journeys import signed_in
from tests.personas import make_user

TAKEN = (USERNAME_IN_USE, USERNAME_LOOKS_TAKEN, EMAIL_TAKEN, IN_USE_LIMITED)


def _invite(client, world, **changes):
    data = invitation_form(**{"organisation": world.north_social_care.pk, **changes})
    return client.post(reverse("team:invite"), data)


def _said_in_use(page: str) -> list[str]:
    return [message for message in TAKEN if message in page]


def _error_summary(page: str) -> str:
    start = page.index("govuk-error-summary__list")
    return page[start : page.index("</ul>", start)]


def _refusals():
    return AuditEvent.objects.filter(tag=AuditTag.InvitationInUseRefused).order_by("pk")


def test_an_invalid_invitation_says_nothing_of_whether_its_username_or_address_exists(world):
    lena = signed_in(world.lena)
    before = AuditEvent.objects.count()
    # No organisation chosen: nothing could be created, whatever the name or address.
    taken = _invite(
        lena, world, username="nadia", email="nadia@example.org", organisation=""
    ).content.decode()
    free = _invite(
        lena, world, username="zz-nobody", email="zz@example.org", organisation=""
    ).content.decode()
    assert "Select the organisation they work for" in taken
    assert _said_in_use(taken) == _said_in_use(free) == []
    assert _error_summary(taken) == _error_summary(free)  # the same errors, whether they exist or not
    assert AuditEvent.objects.count() == before


def test_a_valid_invitation_with_a_taken_username_is_refused_and_audited_without_the_name(world):
    page = _invite(signed_in(world.lena), world, username="nadia").content.decode()
    assert USERNAME_IN_USE in page
    assert not User.objects.filter(email="ivy@example.org").exists()
    [event] = _refusals()
    assert event.actor_id == world.lena.pk
    assert event.additional["fields"] == ["username"]
    assert event.additional["refusals"] == 1
    assert event.additional["limit"] == IN_USE_REFUSALS.limit
    assert event.additional["lookalike"] is False
    assert "nadia" not in str(event.additional).lower()
    assert AuditTag.InvitationInUseRefused in TAG_LABELS


def test_a_valid_invitation_with_a_taken_address_is_refused_and_audited_without_the_address(world):
    page = _invite(signed_in(world.lena), world, email="nadia@example.org").content.decode()
    assert EMAIL_TAKEN in page
    assert not User.objects.filter(username="ivy").exists()
    [event] = _refusals()
    assert event.additional["fields"] == ["email"]
    assert "nadia" not in str(event.additional).lower()


def test_both_taken_are_one_refusal_naming_both(world):
    page = _invite(signed_in(world.lena), world, username="nadia", email="alice@example.org").content.decode()
    assert USERNAME_IN_USE in page and EMAIL_TAKEN in page
    [event] = _refusals()
    assert event.additional["fields"] == ["email", "username"]
    assert event.additional["refusals"] == 1


def test_a_lookalike_refusal_is_counted_and_audited_too(world):
    page = _invite(signed_in(world.lena), world, username="1ena").content.decode()  # "1" looks like "l"
    assert USERNAME_LOOKS_TAKEN in page
    [event] = _refusals()
    assert event.additional["refusals"] == 1
    assert event.additional["lookalike"] is True


def test_after_the_limit_every_invitation_is_told_to_try_later_unchecked_and_that_is_audited(world):
    lena = signed_in(world.lena)
    taken = ["alice", "bob", "olivia", "sam", "tom", "nadia", "dara", "lena"]
    taken += [make_user(f"extra{n}", world.north_social_care).username for n in range(4)]
    for name in taken[: IN_USE_REFUSALS.limit]:
        assert USERNAME_IN_USE in _invite(lena, world, username=name).content.decode()
    over_taken = _invite(lena, world, username=taken[IN_USE_REFUSALS.limit]).content.decode()
    over_free = _invite(lena, world, username="zz-nobody").content.decode()
    over_address = _invite(lena, world, username="zz-nobody", email="alice@example.org").content.decode()
    # Past the limit nothing is looked up: free and taken answers are the same.
    for page in (over_taken, over_free, over_address):
        assert _said_in_use(page) == [IN_USE_LIMITED]
    assert not User.objects.filter(username="zz-nobody").exists()
    assert _refusals().count() == IN_USE_REFUSALS.limit
    assert [e.additional["refusals"] for e in _refusals()] == list(range(1, IN_USE_REFUSALS.limit + 1))
    [throttled] = AuditEvent.objects.filter(tag=AuditTag.InvitationInUseThrottled)  # once a minute
    assert throttled.actor_id == world.lena.pk
    assert throttled.additional["limit"] == IN_USE_REFUSALS.limit
    assert AuditTag.InvitationInUseThrottled in TAG_LABELS


def test_free_usernames_and_addresses_are_never_counted_towards_the_limit(world):
    lena = signed_in(world.lena)
    for n in range(IN_USE_REFUSALS.limit + 1):
        response = _invite(lena, world, username=f"ivy{n}", email=f"ivy{n}@example.org")
        assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(username__startswith="ivy").count() == IN_USE_REFUSALS.limit + 1
    assert not _refusals().exists()


def test_the_limit_is_each_inviters_own(world):
    lena = signed_in(world.lena)
    for _ in range(IN_USE_REFUSALS.limit + 1):
        _invite(lena, world, username="alice")
    colleague = signed_in(make_user("lara", world.north, "la_team"))
    page = _invite(colleague, world, username="alice", email="ivy2@example.org").content.decode()
    assert USERNAME_IN_USE in page


def test_correcting_an_invited_accounts_address_to_a_taken_one_is_audited_and_limited(world):
    lena = signed_in(world.lena)
    assert _invite(lena, world).status_code == 302
    ivy = User.objects.get(username="ivy")
    path = reverse("team:correct_invitation_address", args=[ivy.pk])
    for _ in range(IN_USE_REFUSALS.limit):
        assert EMAIL_TAKEN in lena.post(path, {"email": "nadia@example.org"}).content.decode()
    assert [e.additional["fields"] for e in _refusals()] == [["email"]] * IN_USE_REFUSALS.limit
    page = lena.post(path, {"email": "zz@example.org"}).content.decode()
    assert IN_USE_LIMITED in page
    ivy.refresh_from_db()
    assert ivy.email == "ivy@example.org"


def test_the_limit_holds_on_the_shared_cache_and_keeps_no_inviter_in_clear(world, redis_cache):
    lena = signed_in(world.lena)
    for _ in range(IN_USE_REFUSALS.limit):
        assert USERNAME_IN_USE in _invite(lena, world, username="alice").content.decode()
    assert _said_in_use(_invite(lena, world, username="zz-nobody").content.decode()) == [IN_USE_LIMITED]
    keys = [key.decode() for key in redis_cache.keys("*")]
    assert any("invitation.in_use_refused" in key for key in keys)
    assert not any("alice" in key or "zz-nobody" in key for key in keys)
