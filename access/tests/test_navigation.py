from django.urls import reverse

from tests.journeys import signed_in
from tests.pages import rendered


def _nav(client) -> str:
    page = rendered(client.get(reverse("accounts:passkeys")), heading="Security keys and passkeys")
    return page[page.index('id="navigation"') : page.index("</nav>")]


def test_a_practitioner_is_offered_search_only(world):
    nav = _nav(signed_in(world.alice))
    assert reverse("children:search") in nav
    assert reverse("team:users") not in nav and reverse("audit:index") not in nav


def test_the_la_team_is_offered_search_accounts_and_audit(world):
    nav = _nav(signed_in(world.lena))
    assert all(
        reverse(name) in nav for name in ("children:search", "team:users", "oversight:alerts", "audit:index")
    )


def test_the_national_auditor_is_offered_audit_but_never_search(world):
    nav = _nav(signed_in(world.nadia))
    assert reverse("audit:index") in nav
    assert reverse("children:search") not in nav


def test_home_takes_each_role_to_a_section_it_may_use(world):
    assert signed_in(world.alice).get("/")["Location"] == reverse("children:search")
    assert signed_in(world.nadia).get("/")["Location"] == reverse("audit:index")
    assert signed_in(world.dara).get("/")["Location"] == reverse("accounts:passkeys")
