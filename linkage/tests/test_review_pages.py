"""Clerical review pages: queue, side by side with per-field weights, three decisions, each audited."""

from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.selectors import child_details
from feeds.tests.factories import feed_row, health_rows_ingest
from linkage.models import ClericalReview, ReviewStatus
from tests.journeys import signed_in
from tests.personas import make_user
from tests.review_pages import decision_posted


def _possible_match(world, child):
    """Amelia Thornton with a date one digit out and a new postcode: between the thresholds."""
    health_rows_ingest(
        world,
        [
            feed_row(
                given_names="Amelia",
                family_name="Thornton",
                date_of_birth="2015-03-14",
                postcode="LS9 9ZZ",
                nhs_number=None,
            )
        ],
    )
    return ClericalReview.objects.get()


def _shielded_hold(world, shielded_child):
    health_rows_ingest(
        world,
        [feed_row(given_names="Jasmine", family_name="Okafor", date_of_birth="2015-03-04", nhs_number=None)],
    )
    return ClericalReview.objects.get(shielded_hold=True)


def test_the_side_by_side_shows_both_records_and_per_field_weights(world, child):
    review = _possible_match(world, child)
    page = signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "LS9 9ZZ" in page and "LS1 4AB" in page
    assert 'id="match-weights"' in page and "one_digit" in page and "bits" in page


def test_a_shielded_hold_is_shown_to_the_la_team_and_refused_to_the_data_manager(world, shielded_child):
    review = _shielded_hold(world, shielded_child)
    queue = signed_in(world.lena).get(reverse("linkage:reviews")).content.decode()
    assert str(review.pk) in queue and "Could be a shielded child" in queue
    assert str(review.pk) not in signed_in(world.dara).get(reverse("linkage:reviews")).content.decode()
    response = signed_in(world.dara).get(reverse("linkage:review", args=[review.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(tag=AuditTag.AccessDenied, additional__reason="review_shielded").exists()


def test_another_las_team_cannot_open_a_review(world, child):
    review = _possible_match(world, child)
    stella = make_user("stella", world.south, Role.LA_TEAM)
    assert signed_in(stella).get(reverse("linkage:review", args=[review.pk])).status_code == 403


def test_deciding_link_updates_the_child_and_is_audited(world, child):
    review = _possible_match(world, child)
    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(child.pk)}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.LINKED and review.decided_child_id == child.pk
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS9 9ZZ"
    event = AuditEvent.objects.get(tag=AuditTag.ReviewDecided)
    assert event.actor_id == world.lena.pk and event.additional["decision"] == "link"


def test_deciding_new_child_creates_one_and_is_audited(world, child):
    review = _possible_match(world, child)
    decision_posted(world.dara, review, decision="new_child")
    assert Child.objects.count() == 2
    assert AuditEvent.objects.get(tag=AuditTag.ReviewDecided).additional["decision"] == "new_child"


def test_deciding_not_a_match_writes_nothing_and_is_audited(world, child):
    review = _possible_match(world, child)
    before = bytes(child.address)
    signed_in(world.lena).post(reverse("linkage:review", args=[review.pk]), {"decision": "not_a_match"})
    assert Child.objects.count() == 1 and bytes(Child.objects.get().address) == before
    review.refresh_from_db()
    assert review.status == ReviewStatus.NOT_A_MATCH
    assert AuditEvent.objects.get(tag=AuditTag.ReviewDecided).additional["decision"] == "not_a_match"


def test_linking_to_a_child_that_was_not_a_candidate_is_refused(world, child, shielded_child):
    review = _possible_match(world, child)
    response = signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(shielded_child.pk)}
    )
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_a_shielded_hold_decided_as_link_keeps_the_child_shielded(world, shielded_child):
    review = _shielded_hold(world, shielded_child)
    signed_in(world.lena).post(
        reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(shielded_child.pk)}
    )
    assert Child.objects.get(pk=shielded_child.pk).shielded
    assert Child.objects.count() == 1


def test_the_navigation_offers_record_matching_to_reviewers_only(world):
    assert "Record matching" in signed_in(world.lena).get(reverse("linkage:reviews")).content.decode()
    assert "Record matching" in signed_in(world.dara).get(reverse("accounts:passkeys")).content.decode()
    assert "Record matching" not in signed_in(world.alice).get(reverse("accounts:passkeys")).content.decode()


def test_the_side_by_side_compares_a_candidates_nhs_number_without_showing_it_to_other_bodies(world, child):
    """Source identifiers are seen only by staff of the body that issued them (`access.policy.visibility`):
    the reviewer learns whether the candidate's NHS number agrees with the incoming one, not its value."""
    review = _possible_match(world, child)  # the incoming row carries no NHS number
    page = signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "LS1 4AB" in page  # the candidate is on the page
    assert "943 476 5919" not in page and "9434765919" not in page
    assert "Held, issued by another body" in page


def test_opening_a_review_is_audited_for_each_child_it_shows(world, shielded_child):
    """The side by side decrypts each candidate (a shielded hold shows the child's address to its LA
    team): each look is in the log, as a merge comparison is."""
    review = _shielded_hold(world, shielded_child)
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "LS6 2QT" in page
    event = AuditEvent.objects.get(tag=AuditTag.ReviewViewed)
    assert (event.actor_id, event.child_id) == (world.lena.pk, shielded_child.pk)
    assert event.additional["review_id"] == str(review.pk)


def test_a_new_child_decided_on_a_shielded_hold_is_created_shielded(world, shielded_child):
    """The 2009 failure by one click: "none of these" on a hold about a shielded child must not make a
    visible record that could be that child. It is created shielded; the team lifts it once sure."""
    review = _shielded_hold(world, shielded_child)
    decision_posted(world.lena, review, decision="new_child")
    created = Child.objects.exclude(pk=shielded_child.pk).get()
    assert created.shielded
    event = AuditEvent.objects.get(tag=AuditTag.ReviewDecided)
    assert event.additional["shielded_hold"] is True and event.child_id == created.pk


def test_a_candidate_shielded_since_the_review_opened_makes_it_the_la_teams_alone(world, child):
    review = _possible_match(world, child)
    Child.objects.filter(pk=child.pk).update(shielded=True)
    dara = signed_in(world.dara)
    response = dara.get(reverse("linkage:review", args=[review.pk]))
    assert response.status_code == 403 and "LS1 4AB" not in response.content.decode()
    response = dara.post(
        reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(child.pk)}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert (
        "LS1 4AB" in signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    )


def test_a_candidate_moved_to_another_la_since_is_neither_shown_nor_linked(world, child):
    review = _possible_match(world, child)
    Child.objects.filter(pk=child.pk).update(local_authority=world.south)
    lena = signed_in(world.lena)
    assert "LS1 4AB" not in lena.get(reverse("linkage:review", args=[review.pk])).content.decode()
    lena.post(reverse("linkage:review", args=[review.pk]), {"decision": "link", "child": str(child.pk)})
    assert child_details(Child.objects.get(pk=child.pk)).address.postcode == "LS1 4AB"
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_the_side_by_side_shows_genders_in_words_not_codes(world, child):
    """Found in the browser: a candidate's gender read "not_specified", the stored code."""
    review = _possible_match(world, child)
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    gender_row = page[page.index(">Gender</th>") : page.index("</tr>", page.index(">Gender</th>"))]
    assert ">female<" not in gender_row
    assert ">Female<" in gender_row
