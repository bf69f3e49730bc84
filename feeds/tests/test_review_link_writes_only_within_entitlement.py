"""Linking a clerical review writes the row into the child only as far as its source is entitled now.

A row held because it resembles a shielded child of another LA is reviewed by that LA's team. Linking it
confirms the identity (the review is linked, the audit says so) but writes nothing of a source that is
not entitled to that LA: before, the link rewrote the shielded child's address. The same holds for a
source suspended since it sent the row, and a new child is not made from such a row.
"""

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.review import ReviewDecision, review_decide, review_link_withheld
from feeds.tests.factories import feed_row, health_source
from feeds.tests.test_ingest import ingest
from linkage.models import ClericalReview, ReviewStatus
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def _row(**changes):
    return feed_row(given_names="Amelia", family_name="Thornton", date_of_birth="2015-03-04", **changes)


def _details(child):
    return child_details(Child.objects.get(pk=child.pk))


def _decided_event():
    return AuditEvent.objects.get(tag=AuditTag.ReviewDecided)


def test_linking_a_review_never_updates_a_child_outside_the_sources_las(world):
    shielded = make_child(world, la=world.south, shielded=True)  # NHS 943 476 5919, LA-S
    source = health_source(world)  # entitled to LA-N only
    assert list(source.local_authorities.values_list("code", flat=True)) == ["LA-N"]
    ingest(source, [_row(address_line="8 Fernbank Way", town="Leeds", postcode="LS2 9JT")], "b1")
    review = ClericalReview.objects.get()
    assert review.local_authority_id == world.south.pk  # the shielded child's LA team reviews it
    south_team = make_user("sian", world.south, Role.LA_TEAM)
    before = _details(shielded)
    # What the review page can tell the team before they decide.
    assert review_link_withheld(review) == (
        "The source that sent this record is not entitled to supply records for your local authority: "
        "linking records that it is this child, and nothing it sent is written into the record."
    )

    linked = review_decide(review=review, decision=ReviewDecision.LINK, by=south_team, child_id=shielded.pk)

    assert linked is not None and linked.pk == shielded.pk
    after = _details(shielded)
    assert (after.address.lines, after.address.postcode) == (["12 Quarry Lane", "Leeds"], "LS1 4AB")
    assert after == before
    review.refresh_from_db()
    assert (review.status, review.decided_child_id) == (ReviewStatus.LINKED, shielded.pk)
    additional = _decided_event().additional
    assert (additional["written"], additional["not_written_because"]) == (False, "la_not_entitled")


def test_a_source_suspended_since_the_row_was_sent_has_its_link_write_nothing(world):
    child = make_child(world)  # LA-N, NHS 943 476 5919
    source = health_source(world)
    ingest(source, [_row(nhs_number="401 023 2137", postcode="LS2 9JT", address_line="8 Fernbank Way")], "b1")
    review = ClericalReview.objects.get()  # another NHS number: sent to review
    assert review_link_withheld(review) is None  # entitled today: a link writes the row
    source.user.suspended_at = timezone.now()
    source.user.save(update_fields=["suspended_at"])
    assert review_link_withheld(review).startswith("The source that sent this record may no longer submit")

    review_decide(review=review, decision=ReviewDecision.LINK, by=world.lena, child_id=child.pk)

    after = _details(child)
    assert after.address.postcode == "LS1 4AB"
    assert [s.value for s in after.source_identifiers] == ["943 476 5919"]  # the row's number not added
    additional = _decided_event().additional
    assert (additional["written"], additional["not_written_because"]) == (False, "source_may_not_submit")


def test_a_source_no_longer_entitled_to_a_field_it_sent_has_its_link_write_nothing(world):
    child = make_child(world)
    source = health_source(world)
    ingest(source, [_row(nhs_number="401 023 2137", postcode="LS2 9JT", address_line="8 Fernbank Way")], "b1")
    review = ClericalReview.objects.get()
    source.fields = [name for name in source.fields if name != "postcode"]
    source.save(update_fields=["fields"])

    review_decide(review=review, decision=ReviewDecision.LINK, by=world.lena, child_id=child.pk)

    assert _details(child).address.postcode == "LS1 4AB"
    assert _decided_event().additional["not_written_because"] == "field_not_entitled"


def test_a_link_within_the_sources_entitlement_still_writes_the_row(world):
    child = make_child(world)
    source = health_source(world)
    ingest(source, [_row(nhs_number="401 023 2137", postcode="LS2 9JT", address_line="8 Fernbank Way")], "b1")
    review = ClericalReview.objects.get()

    review_decide(review=review, decision=ReviewDecision.LINK, by=world.lena, child_id=child.pk)

    after = _details(child)
    assert (after.address.lines, after.address.postcode) == (["8 Fernbank Way", "Leeds"], "LS2 9JT")
    assert "401 023 2137" in [s.value for s in after.source_identifiers]
    additional = _decided_event().additional
    assert additional["written"] is True and "not_written_because" not in additional


def test_a_new_child_from_a_source_suspended_since_is_refused_on_the_page(world):
    make_child(world)
    source = health_source(world)
    ingest(source, [_row(nhs_number="401 023 2137", postcode="LS2 9JT", address_line="8 Fernbank Way")], "b1")
    review = ClericalReview.objects.get()
    source.user.suspended_at = timezone.now()
    source.user.save(update_fields=["suspended_at"])

    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "new_child"}
    )

    assert response.status_code == 400
    assert (
        "The source that sent this record may no longer submit records: a record cannot be made from it. "
        "Choose not a match." in response.content.decode()
    )
    assert Child.objects.count() == 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_the_review_page_says_a_link_will_write_nothing_and_the_answer_says_it_did(world):
    """The LA team reads before deciding that the source is not entitled to their LA, and the message
    after the link says the identity was recorded and nothing written."""
    shielded = make_child(world, la=world.south, shielded=True)
    ingest(
        health_source(world), [_row(address_line="8 Fernbank Way", town="Leeds", postcode="LS2 9JT")], "b1"
    )
    review = ClericalReview.objects.get()
    client = signed_in(make_user("sian", world.south, Role.LA_TEAM))
    url = reverse("linkage:review", args=[review.pk])
    warning = "The source that sent this record is not entitled to supply records for your local authority"

    assert warning in client.get(url).content.decode()
    answer = client.post(url, {"decision": ReviewDecision.LINK, "child": str(shielded.pk)}, follow=True)

    page = answer.content.decode()
    assert "Decision recorded." in page and warning in page
    assert _details(shielded).address.postcode == "LS1 4AB"
