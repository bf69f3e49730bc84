"""The second factor is checked on every request without a query of its own (accounts.middleware.
VerifiedDeviceMiddleware reads the confirmed device with the user): each change to the device, a
second factor reset and a suspension must still bite on the very next request."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import SealedTOTPDevice
from accounts.services import mfa_reset, totp_device_create
from tests.journeys import signed_in, totp_device

MFA = reverse("accounts:mfa")
SEARCH = reverse("children:search")


def _search_page_shown(client) -> bool:
    response = client.get(SEARCH)
    return (
        response.status_code == 200
        and '<h1 class="govuk-heading-l">Find a child</h1>' in response.content.decode()
    )


def test_a_verified_session_reaches_the_search_page(world):
    assert _search_page_shown(signed_in(world.alice))


def test_a_deleted_authenticator_sends_the_person_back_to_the_second_factor(world):
    client = signed_in(world.alice)
    assert _search_page_shown(client)
    SealedTOTPDevice.objects.filter(user=world.alice).delete()
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"] == MFA


def test_an_unconfirmed_authenticator_no_longer_verifies_the_session(world):
    client = signed_in(world.alice)
    SealedTOTPDevice.objects.filter(user=world.alice).update(confirmed=False)
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"] == MFA


def test_an_authenticator_moved_to_another_person_no_longer_verifies_the_session(world):
    client = signed_in(world.alice)
    SealedTOTPDevice.objects.filter(user=world.alice).update(user=world.bob)
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"] == MFA


def test_a_session_verified_by_a_second_confirmed_authenticator_still_works(world):
    client = signed_in(world.alice)
    totp_device(world.alice)
    second = totp_device_create(user=world.alice, name="second", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = second.persistent_id
    session.save()
    assert _search_page_shown(client)
    second.delete()
    assert client.get(SEARCH)["Location"] == MFA


def test_a_second_factor_reset_signs_the_person_out_on_the_next_request(world):
    client = signed_in(world.alice)
    assert _search_page_shown(client)
    mfa_reset(user=world.alice, by=world.lena)
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_suspension_refuses_the_next_request_even_if_the_session_survives(world):
    client = signed_in(world.alice)
    assert _search_page_shown(client)
    # Suspended straight in the database, sessions kept: only the per-request check can refuse.
    get_user_model().objects.filter(pk=world.alice.pk).update(suspended_at=timezone.now())
    response = client.get(SEARCH)
    assert response.status_code == 403
    assert "Your account is suspended." in response.content.decode()
