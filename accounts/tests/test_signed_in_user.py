import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from accounts.http import signed_in_user


def test_it_returns_the_signed_in_person(world):
    request = RequestFactory().get("/")
    request.user = world.alice
    assert signed_in_user(request) == world.alice


def test_it_refuses_an_anonymous_request_even_without_assertions():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)
