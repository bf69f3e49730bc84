"""The three ways an LA team member stops being one of an LA's team between a page's check and its write:
their account moved to another LA, their role changed, or the LA service they work in put in another LA."""

from accounts.models import Organisation, Role, User
from tests.personas import World

HOWS = ["account moved to another LA", "role changed", "organisation moved to another LA"]


def moved(world: World, person: User, how: str) -> None:
    """Move `person` out of Northshire's team `how` (for the last, they work in Northshire's social care)."""
    if how == "account moved to another LA":
        User.objects.filter(pk=person.pk).update(organisation=world.south)
    elif how == "role changed":
        User.objects.filter(pk=person.pk).update(role=Role.PRACTITIONER)
    else:
        Organisation.objects.filter(pk=world.north_social_care.pk).update(local_authority=world.south)
