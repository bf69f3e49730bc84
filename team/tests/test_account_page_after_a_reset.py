"""The account page of a person whose second factor was reset says so, and offers no address change.

After a reset the account waits for its link like an invitee's (`accounts.services.mfa_reset`), and the
page said "they have not yet accepted the invitation" and offered "Correct the address and send a new
link", which the service refuses for an account set up before (the link goes only to the mailbox the
account proved). The page now says what is waiting, and offers only a new link to the known address.
"""

from django.urls import reverse

from tests.journeys import signed_in, totp_device
from tests.pages import rendered

CORRECT_BUTTON = "Correct the address and send a new link"


def test_a_reset_accounts_page_says_a_new_password_is_awaited_and_offers_no_address_change(world):
    totp_device(world.alice)
    client = signed_in(world.lena)
    client.post(reverse("team:reset_mfa", args=[world.alice.pk]), {"confirmed": "yes"})
    page = rendered(client.get(reverse("team:user", args=[world.alice.pk])), heading="Alice Example")
    assert "their security codes were reset and they have not yet chosen a new password" in page
    assert "they have not yet accepted the invitation" not in page
    assert "Send a new invitation link" in page
    assert CORRECT_BUTTON not in page
    assert 'name="email"' not in page
