"""A child held by an LA none of the personas belongs to, and what a refusal page must not say of it.

Shared by the tests that a child's id tells a person refused nothing (the record pages, the audit and
subject access pages, the refusal page itself): a page naming "Eastmoor Council" names the child's LA.
"""

import re
from datetime import date

from django.http import HttpResponse

from accounts.models import Organisation, OrganisationKind, Role, User
from children.models import Child
from tests.pages import without_tokens
from tests.personas import World, make_child, make_user

EAST = "Eastmoor Council"


def east_la(world: World) -> Organisation:
    """An LA none of the personas belongs to, so a page naming it names the child's LA, not theirs."""
    return Organisation.objects.get_or_create(
        code="LA-E",
        defaults={
            "kind": OrganisationKind.LOCAL_AUTHORITY,
            "name": EAST,
            "phone": "0300 000 0001",
            "email": "la-e@example.org",
            "accredited_on": date(2020, 1, 1),
        },
    )[0]


def east_child(world: World, *, shielded: bool = False) -> Child:
    return make_child(world, given_names="Noah", family_name="Begum", la=east_la(world), shielded=shielded)


def main_content(page: str) -> str:
    """The page's own content, tokens blanked (the header's sign-out form and any form in main hold one)."""
    return without_tokens(page[page.index("<main") : page.index("</main>")])


def main_of(response: HttpResponse) -> str:
    return main_content(response.content.decode())


def refusal_reason(page: str) -> str:
    found = re.search(r'data-reason="([^"]*)"', page)
    return found.group(1) if found else ""


def reason_of(response: HttpResponse) -> str:
    return refusal_reason(response.content.decode())


def persona(world: World, name: str) -> User:
    """A persona of the world by name, or "ada", a system administrator made on first use."""
    if name == "ada":
        national = world.nadia.organisation
        assert national is not None
        return make_user("ada", national, Role.SYSTEM_ADMIN)
    return getattr(world, name)


def says_nothing_of(page: str, child: Child) -> None:
    page = without_tokens(page)
    assert EAST not in page
    assert "Noah" not in page and "Begum" not in page
    assert child.index_number not in page
    assert str(child.pk) not in page
    assert "This record belongs to" not in page
