"""What an invitation form is sent in tests: one synthetic invitee, changed per test where it matters.

Six test files each wrote the same dozen fields out; a field the form gains (or a rule about dates) is
now changed here once.
"""

from datetime import date
from typing import Any

from team.forms import InviteForm

# Last year's: a background check lapses after three years and the form refuses a lapsed one, so a fixed
# year would make every invitation in the suite fail once it passed (10 January of last year never has).
CHECKED_YEAR = str(date.today().year - 1)

INVITEE = {
    "first_name": "Ivy",
    "last_name": "Newcomer",
    "email": "ivy@example.org",
    "username": "ivy",
    "role": "practitioner",
    "background_check_day": "10",
    "background_check_month": "1",
    "background_check_year": CHECKED_YEAR,
    "training_day": "10",
    "training_month": "2",
    "training_year": "2026",
}


def invitation_form(**changes: object) -> dict[str, str]:
    """The invitee's form data with `changes` (a value of None leaves that field out)."""
    data: dict[str, object] = {**INVITEE, **changes}
    return {name: str(value) for name, value in data.items() if value is not None}


def north_invitation_checked(world: Any) -> InviteForm:
    """North's LA team (Lena) inviting Ivy into North's social care, the form checked as a POST checks it:
    the tests of an organisation changed between the check and the account's creation change it next."""
    form = InviteForm(
        invitation_form(organisation=world.north_social_care.pk),
        local_authority_id=world.north.pk,
        inviter=world.lena,
    )
    assert form.is_valid(), form.errors
    return form
