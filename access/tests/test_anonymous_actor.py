"""The policy fails closed for a visitor who has not signed in, whatever page forgot to ask for a login."""

from django.contrib.auth.models import AnonymousUser

from access.permissions import Permission
from access.policy import decide, prerequisites


def test_an_anonymous_visitor_fails_the_prerequisites_as_not_signed_in():
    decision = prerequisites(AnonymousUser())
    assert not decision
    assert decision.reason == "not_signed_in"
    assert decision.message == "You need to sign in."


def test_an_anonymous_visitor_is_refused_every_action_before_any_role_check():
    for action in Permission:
        decision = decide(actor=AnonymousUser(), action=action)
        assert (decision.allowed, decision.reason) == (False, "not_signed_in"), action
