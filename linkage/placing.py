"""Placing a review by hand: a person's answer to a review the daily sweep cannot place.

A review none of whose children its LA holds any more, held by two or more other LAs, cannot follow them
(`linkage.holds_sweep` leaves it, and exits non-zero every night): which team should judge it is a person's
call. Meanwhile its own team is shown no candidate and may only close it "not a match", so a row that is
one of those children reaches no record. `manage.py review_place REVIEW --to LA` moves it to one LA holding
one of the children it names; that team is shown those children and may link the row to one ("new child"
stays refused while another LA holds one: `feeds.review.HELD_ELSEWHERE_WORDS`). Its LA then holds one of
its children, so the sweep leaves it there.

Refused in words: a review not open, closed for a new identity (it names no candidate and stays with the
team that closed the identity), or whose copy no longer opens; one whose own LA still holds a child it
names (that team judges it), unless a child it names is shielded in another LA (the link is refused there:
a hold the sweep reports), and then refused in words too if its own LA shields one (no team may link it,
wherever it goes); an LA holding none of its children; an LA holding no shielded child it
names while another LA holds one (a row resembling a shielded child is that child's LA team's to judge,
as `linkage.linking.creation_hold` sends it: another team would see the row, not the child). The review
and then the children's rows are locked as the sweep locks them (a decision or a transfer at that moment
finishes first, or this is refused as busy). Audited as a follow (`linkage:review:followed`,
`placed_by_hand`), by ids only; held for that LA's team at once if one of the children is a shielded
child there.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db import OperationalError, transaction

from accounts.models import Organisation
from linkage.holding import (
    ChildrenBusy,
    children_locked_now,
    review_follows,
    reviews_mark_held,
    shields_one_of,
)
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.selectors import review_candidate_ids
from vault.crypto import DecryptionFailed


class PlaceRefused(Exception):
    """Why the review was not placed, in words for the operator (ids only)."""


@dataclass(frozen=True)
class Placement:
    review_id: str
    from_la_id: int
    to_la_id: int
    held: bool  # held for the LA team there (a child it names is shielded there)
    applied: bool


def review_place(*, review_id: UUID, to_la: Organisation, apply: bool) -> Placement:
    """Move an open review to `to_la`, one of the LAs holding the children it names; without `apply`,
    judge it all the same and change nothing."""
    with transaction.atomic():
        try:
            review = (
                ClericalReview.objects.select_for_update(of=("self",), nowait=True)
                .prefetch_related("data_key")
                .filter(pk=review_id)
                .first()
            )
            if review is None:
                raise PlaceRefused(f"there is no review {review_id}")
            _placeable(review)
            try:
                named = review_candidate_ids(review)
            except DecryptionFailed:
                raise PlaceRefused(f"review {review_id}: its copy is being destroyed") from None
            children = children_locked_now(named)
        except (OperationalError, ChildrenBusy):  # the review's row, or a child's, held: deciding or moving
            raise PlaceRefused(f"review {review_id} or one of its children is busy: try again") from None
        las = {child.local_authority_id for child in children}
        from_la_id = review.local_authority_id
        shielded_las = {child.local_authority_id for child in children if child.shielded}
        if from_la_id in las and from_la_id in shielded_las and shielded_las - {from_la_id}:
            # The sweep reports such a hold (`linkage.holds_sweep`): no team may link its row, wherever
            # it is placed (each would be shown the row beside its own shielded child, not the other's).
            codes = ", ".join(
                sorted(Organisation.objects.filter(pk__in=shielded_las).values_list("code", flat=True))
            )
            raise PlaceRefused(
                f"review {review_id}: children it names are shielded in more than one local authority ({codes}): "
                "no team may link it, wherever it is placed. Its team may decide not a match; ask the teams "
                "whether each shield is still needed"
            )
        if from_la_id in las and not shielded_las - {from_la_id}:
            raise PlaceRefused(
                f"review {review_id}: its own local authority still holds a child it names, and its team judges it"
            )
        # Its own LA holding a child it names while another LA shields one (and it shields none), its team
        # may not link the row (`linkage.views`): it goes to the shielded child's team (checked below).
        if to_la.pk not in las:
            raise PlaceRefused(f"review {review_id}: {to_la.code} holds none of the children it names")
        shielding = {child.local_authority_id for child in children if child.shielded}
        if shielding and to_la.pk not in shielding:
            # The row may be that shielded child: only its LA team sees it beside the row. Another team
            # would be shown the row (where it says the child lives), not the child, and could link it
            # into a visible record of its own.
            codes = ", ".join(
                sorted(Organisation.objects.filter(pk__in=shielding).values_list("code", flat=True))
            )
            raise PlaceRefused(
                f"review {review_id}: a child it names is shielded, and only the team of the local authority "
                f"holding it may judge it: place it with {codes}"
            )
        held = not review.shielded_hold and shields_one_of(children, to_la.pk)
        if apply:
            review_follows(review, from_la_id, to_la.pk, by_hand=True)
            if held:
                reviews_mark_held([review])
        return Placement(str(review.pk), from_la_id, to_la.pk, held=held, applied=apply)


def _placeable(review: ClericalReview) -> None:
    if review.status != ReviewStatus.OPEN or review.copy_shredded_at is not None:
        raise PlaceRefused(f"review {review.pk} is not open")
    if review.reason == ReviewReason.CLOSED_IDENTITY:
        raise PlaceRefused(
            f"review {review.pk} resembles a record closed for a new identity: it stays with the team that closed it"
        )
