"""One invited practitioner for the invitation tests: Ivy, at North's children's social care."""

from accounts.models import Role, User
from accounts.services import account_invite
from tests.personas import World

# What the invitation page's form sends to set a password and sign the agreement.
ACCEPT = {
    "password1": "a long synthetic passphrase 93",
    "password2": "a long synthetic passphrase 93",
    "agreement": "on",
}


def ivy_invited(world: World, *, by: User | None = None) -> tuple[User, str]:
    """Ivy's new account and the token of her invitation, made by `by` (North's LA team, Lena, if None),
    her vetting dates those of Alice (current)."""
    return account_invite(
        by=by or world.lena,
        username="ivy",
        first_name="Ivy",
        last_name="Example",
        email="ivy@example.org",
        organisation=world.north_social_care,
        role=Role.PRACTITIONER,
        background_check_on=world.alice.background_check_on,
        training_completed_on=world.alice.training_completed_on,
    )
