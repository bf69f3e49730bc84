"""The LA team's "Due to lapse" warning counts people, never a feed source's machine identity.

A local authority's own system may send its records as a feed source, whose account (role feed source,
no password) sits in the LA's organisation. A system holds no enhanced background check and takes no
training: the policy judges it by its registration and its organisation instead (`access.policy`,
"a system, not a person: no vetting"). The users list counted it as an account whose background check
and training had lapsed, for ever: a warning no renewal could clear, and one more name in the count the
team reads to find the people it must chase.
"""

from django.urls import reverse

from feeds.sources import feed_source_create
from tests.journeys import signed_in
from tests.pages import rendered


def _lapsing(page: str) -> str:
    if 'id="lapsing"' not in page:
        return ""
    start = page.index('id="lapsing"')
    return page[start : page.index("</ul>", start)]


def test_a_feed_source_in_the_las_organisation_is_never_said_to_be_due_to_lapse(world):
    feed_source_create(
        code="north-local",
        organisation=world.north,
        fields=["given_names", "family_name", "date_of_birth"],
        local_authorities=[world.north],
    )
    page = rendered(
        signed_in(world.lena).get(reverse("team:users")), heading="Accounts in your local authority"
    )
    assert "feed-north-local" in page  # still one of the LA's accounts, listed
    lapsing = _lapsing(page)
    assert "feed-north-local" not in lapsing
    assert "Tom Example" in lapsing  # a person whose training lapsed is still there
    assert "1 account has a background check or training" in page
