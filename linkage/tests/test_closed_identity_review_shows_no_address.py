"""A feed row held because it resembles a record closed for a new identity never shows where it says the
child lives.

A child adopted under a new identity keeps the birth record closed; a GP or school that goes on using the
birth name at the adoptive home sends a row naming the birth identity at the adoptive address. The review
showed that row in full to whoever worked the LA's queue (the data manager too, as the closed record is not
shielded; it is now held for the LA team alone): the birth name beside where the child lives now, the link the new identity exists to break
(domain: "birth and adoptive identities are never linked in view"). The only decision offered is "not a
match", for which the address is no evidence, so it is withheld from everyone.
"""

from django.urls import reverse

from children.models import Child
from lifecycle.tests.test_new_identity import AMELIA_ROW, FORM, _ingest
from linkage.models import ClericalReview, ReviewReason
from tests.journeys import signed_in
from tests.pages import without_tokens
from tests.personas import make_child

AT_THE_ADOPTIVE_HOME = {**AMELIA_ROW, "address_line": "8 Elmhurst Gardens", "postcode": "YO1 7HH"}


def test_a_row_resembling_a_closed_identity_is_reviewed_without_its_address(world):
    old = make_child(world)
    response = signed_in(world.lena).post(reverse("moves:new_identity", args=[old.pk]), FORM)
    assert response.status_code == 302
    assert not Child.objects.exclude(pk=old.pk).get().shielded  # an adoption not shielded: the usual case

    _ingest(world, **AT_THE_ADOPTIVE_HOME)

    review = ClericalReview.objects.get()
    # Held for the LA team (test_closed_identity_review_held_for_the_la_team): the data manager is refused.
    assert review.reason == ReviewReason.CLOSED_IDENTITY and review.shielded_hold
    assert signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).status_code == 403
    for reviewer in (world.lena,):  # the LA team
        page = without_tokens(
            signed_in(reviewer).get(reverse("linkage:review", args=[review.pk])).content.decode()
        )
        assert "Resembles a record closed for a new identity" in page
        assert "Elmhurst" not in page and "YO1 7HH" not in page and "YO1" not in page
        assert "Withheld: the record resembles one closed for a new identity" in page
        assert 'value="not_a_match"' in page


def test_an_ordinary_review_still_shows_the_incoming_address(world, child):
    from linkage.tests.test_review_pages import _possible_match

    review = _possible_match(world, child)
    page = signed_in(world.dara).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "LS9 9ZZ" in page and "Withheld" not in page
