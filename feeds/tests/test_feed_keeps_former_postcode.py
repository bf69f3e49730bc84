"""A feed that moves a linked child keeps the old postcode findable, as a previous address (issue #9)."""

from children.models import Child
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_details
from feeds.models import RowOutcome
from feeds.tests.factories import health_source
from linkage.tests.test_linking import amelia, ingest


def test_a_feed_update_of_the_address_keeps_the_old_postcode_as_a_previous_one(world, child):
    report = ingest(health_source(world), [amelia(postcode="LS6 1AA", address_line="4 New Road")])
    assert report.counts[RowOutcome.UPDATED] == 1
    assert child_details(Child.objects.get(pk=child.pk)).former_postcodes == ["LS1 4AB"]
    by_old = child_search_matches(SearchCriteria(family_name="Thornton", postcode="LS1 4AB"))
    assert [r.child.pk for r in by_old] == [child.pk]
    assert by_old[0].why == "Family name matches, postcode matches a previous address"
    by_new = child_search_matches(SearchCriteria(family_name="Thornton", postcode="LS6 1AA"))
    assert [r.child.pk for r in by_new] == [child.pk] and by_new[0].why.endswith("postcode matches")
