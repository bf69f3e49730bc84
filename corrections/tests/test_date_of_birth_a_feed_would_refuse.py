"""A corrected date of birth passes the check a feed's passes (feeds.validation: not in the future, not
more than 26 years ago, a keying error in an index of children kept to 25 at most). A mis-keyed year
(1915 for 2015), once accepted, makes the child an adult: the next lifecycle run archives the record,
out of every practitioner's view. Synthetic people only."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Correction, CorrectionStatus
from corrections.services import ValueRefused, correction_accept, correction_raise
from corrections.tests.deciding import accept_as_shown
from corrections.tests.support import fresh
from tests.journeys import signed_in, state_purpose
from vault.sealing import Sealer

REASON = "Date on the birth certificate"


def test_a_date_of_birth_more_than_26_years_ago_is_refused_on_the_page_as_a_feed_refuses_it(world, child):
    alice = signed_in(world.alice)
    state_purpose(alice, child, purpose="checking_details")
    year = timezone.localdate().year - 27
    response = alice.post(
        reverse("corrections:propose", args=[child.pk, "date_of_birth"]),
        {"value_day": "4", "value_month": "3", "value_year": str(year), "reason": REASON},
    )
    assert response.status_code == 200
    assert f"The correct date of birth must be in {year + 1} or later" in response.content.decode()
    assert not Correction.objects.exists()


def test_a_date_of_birth_a_feed_would_refuse_is_never_raised_nor_accepted(world, child):
    with pytest.raises(ValueRefused):
        correction_raise(
            child=child, field=field_for("date_of_birth"), value="1915-03-04", reason=REASON, by=world.alice
        )
    assert not Correction.objects.exists()
    # One stored before the rule (or by any other way in): the LA team is told to reject it instead.
    correction = Correction(child=child, field="date_of_birth", raised_by=world.alice)
    with transaction.atomic():
        Sealer(child.data_key).seal_all(
            correction,
            {
                "proposed_value": "1915-03-04",
                "reason": REASON,
                "previous_value": None,
                "decision_reason": None,
            },
        )
        correction.save()
    page = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction)
    )
    assert page.status_code == 200
    assert "The proposed date of birth is not one a record may hold" in page.content.decode()
    with pytest.raises(ValueRefused):
        correction_accept(correction=correction, by=world.lena)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert child_details(fresh(child)).date_of_birth == date(2015, 3, 4)


def test_a_date_of_birth_within_the_range_a_feed_takes_is_raised_and_accepted(world, child):
    year = timezone.localdate().year - 26  # the oldest a feed takes
    correction = correction_raise(
        child=child, field=field_for("date_of_birth"), value=f"{year}-01-01", reason=REASON, by=world.alice
    )
    correction_accept(correction=correction, by=world.lena)
    assert child_details(fresh(child)).date_of_birth == date(year, 1, 1)
