"""Only a health body may be entitled to supply NHS numbers (`manage.py feed_source create`).

A source identifier is shown only to staff of the body that issued it, and the body a feed's identifiers
are recorded as issued by is the source's organisation. `feed_source create` entitled a source to every
field unless told otherwise, so a local authority's own system registered under the council (or a
school's) supplied NHS numbers "issued by" the council: its LA team then saw every such child's NHS
number on the record page, a number the council never issued (domain.md: source identifiers, visible
only to staff of the body that issued them).
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Child
from feeds.models import FeedSource
from feeds.tests.factories import feed_row, health_source
from linkage.tests.test_linking import ingest
from tests.journeys import signed_in, state_purpose

NO_FIELDS_NHS = "given_names,family_name,date_of_birth,gender,address_line,town,postcode"


def create(*args: str) -> str:
    out = StringIO()
    call_command("feed_source", "create", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize("organisation", ["LA-N", "URN-1", "SC-N"])
def test_a_source_of_a_body_that_issues_no_nhs_numbers_is_not_entitled_to_supply_them(world, organisation):
    with pytest.raises(CommandError, match="nhs_number may be supplied only by a health service or GP"):
        create("la-system", "--organisation", organisation, "--las", "LA-N")
    with pytest.raises(CommandError, match="nhs_number may be supplied only by a health service or GP"):
        create("la-system", "--organisation", organisation, "--las", "LA-N", "--fields", "nhs_number")
    assert not FeedSource.objects.exists()


def test_the_la_team_never_sees_an_nhs_number_its_councils_own_feed_could_have_sent(world):
    create("la-system", "--organisation", "LA-N", "--las", "LA-N", "--fields", NO_FIELDS_NHS)
    source = FeedSource.objects.get(code="la-system")
    assert "nhs_number" not in source.fields
    report = ingest(source, [feed_row()])
    assert len(report.rejected) == 1 and "nhs_number" in report.rejected[0].reason
    ingest(source, [feed_row(nhs_number=None)], "b2")
    child = Child.objects.get()
    client = signed_in(world.lena)
    state_purpose(client, child)
    page = client.get(reverse("children:record", args=[child.pk])).content.decode()
    assert "Pemberton" in page and "943 476 5919" not in page


@pytest.mark.parametrize("organisation", ["GP-N", "ORG-health"])
def test_a_health_service_or_gp_practice_may_still_supply_nhs_numbers(world, organisation):
    health_source(world, code="other")  # makes the health organisation ORG-other; ORG-health below
    health_source(world)
    create("gp-system", "--organisation", organisation, "--las", "LA-N")
    assert "nhs_number" in FeedSource.objects.get(code="gp-system").fields
