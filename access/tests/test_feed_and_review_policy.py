"""The policy for machine feed sources and for clerical reviews: every branch, with its reason."""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from access.permissions import Permission
from access.policy import decide, feed_row_decide
from accounts.models import Organisation, OrganisationKind, Role
from feeds.tests.factories import health_source
from linkage.linking import LinkDecision, Outcome
from linkage.models import ReviewReason
from linkage.services import review_open
from tests.personas import make_user


def _review(world, *, la, shielded=False):
    source = health_source(world)
    decision = LinkDecision(
        Outcome.REVIEW, reason=ReviewReason.POSSIBLE_MATCH, review_la_id=la.pk, shielded_hold=shielded
    )
    return review_open(decision=decision, incoming={"record": {}}, submitted_by=source.user)


def test_a_registered_feed_source_may_submit(world):
    assert decide(actor=health_source(world).user, action=Permission.FeedSubmit)


def test_feed_submission_refusals_say_why(world):
    source = health_source(world)
    user = source.user
    assert decide(actor=AnonymousUser(), action=Permission.FeedSubmit).reason == "not_signed_in"
    user.is_active = False
    assert decide(actor=user, action=Permission.FeedSubmit).reason == "inactive"
    user.is_active = True
    user.organisation.accredited_on = None
    assert decide(actor=user, action=Permission.FeedSubmit).reason == "organisation_not_accredited"
    user.organisation.accredited_on = timezone.localdate().replace(year=timezone.localdate().year + 1)
    assert decide(actor=user, action=Permission.FeedSubmit).reason == "organisation_not_accredited"
    user.organisation = None
    assert decide(actor=user, action=Permission.FeedSubmit).reason == "organisation_not_accredited"


def test_a_feed_role_without_a_registered_source_may_not_submit(world):
    fiona = make_user("fiona", world.north, Role.FEED_SOURCE)
    assert decide(actor=fiona, action=Permission.FeedSubmit).reason == "not_a_feed_source"


def test_an_entitled_row_is_allowed_and_a_refusal_names_fields_not_values(world):
    source = health_source(world, fields=("given_names", "family_name"))
    assert feed_row_decide(source=source, fields={"given_names"}, local_authority_id=world.north.pk)
    refused = feed_row_decide(
        source=source, fields={"nhs_number", "gender"}, local_authority_id=world.north.pk
    )
    assert refused.message.endswith("supply: gender, nhs_number")
    assert feed_row_decide(source=source, fields=set(), local_authority_id=None).reason == "la_not_entitled"


def test_reviews_are_for_the_las_team_and_data_manager_only(world):
    review = _review(world, la=world.north)
    assert decide(actor=world.lena, action=Permission.ReviewDecide, review=review)
    assert decide(actor=world.dara, action=Permission.ReviewDecide, review=review)
    assert decide(actor=world.lena, action=Permission.ReviewDecide)
    assert (
        decide(actor=world.alice, action=Permission.ReviewDecide, review=review).reason
        == "role_not_permitted"
    )
    stella = make_user("stella", world.south, Role.LA_TEAM)
    assert decide(actor=stella, action=Permission.ReviewDecide, review=review).reason == "other_la"


def test_a_shielded_hold_is_for_the_la_team_alone(world):
    review = _review(world, la=world.north, shielded=True)
    assert decide(actor=world.lena, action=Permission.ReviewDecide, review=review)
    assert decide(actor=world.dara, action=Permission.ReviewDecide, review=review).reason == "review_shielded"


def test_a_reviewer_without_a_home_la_has_no_queue(world):
    national = Organisation.objects.create(
        kind=OrganisationKind.NATIONAL, name="National", code="NAT-9", accredited_on=date(2020, 1, 1)
    )
    nobody = make_user("nobody", national, Role.DATA_MANAGER)
    assert decide(actor=nobody, action=Permission.ReviewDecide).reason == "no_organisation"
