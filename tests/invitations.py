"""What an invitation form is sent in tests: one synthetic invitee, changed per test where it matters.

Six test files each wrote the same dozen fields out; a field the form gains (or a rule about dates) is
now changed here once.
"""

from datetime import date

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
