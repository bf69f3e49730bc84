"""The daily catch-up for reviews that follow their children: what the steps of `linkage.holding` did not do.

A shield and a transfer accept lock what they can at once and leave the reviews a decision held at that
moment to a step that runs once they commit (`transaction.on_commit`). That step is lost if the process
dies between the commit and the step, or the step fails: a review naming a shielded child then stays in
the data manager's queue, or a hold stays with an LA that no longer holds its child (the new team never
sees it). Holds stranded by transfers accepted before holds followed their child (session 26) are the
same. This sweep, run daily (`manage.py holds_sweep`), looks at every open review once and puts right
what it finds, each change audited as the steps audit theirs (`linkage:review:held`,
`linkage:review:followed`).

Each review is judged under its row's lock, then its candidates' rows (the order a decision takes them),
as they stand: a review decided or moved meanwhile is left as it now is. The sweep never waits for a
review's or a child's row: a purge or a merge takes a child's row before the reviews naming it, a decision
the other way round, so waiting either way could close a circle with one of them. A review or child row
someone holds is skipped (`busy`) and looked at again on the next run. (Moving a hold may wait briefly on
its new LA's row, as any row naming it does; nothing that locks an LA's row waits on reviews or children.) A hold whose candidates are now held by more
than one other LA is left where it is and reported by id: which team should judge it is a person's call. So
is a hold whose own LA still holds a child it names while another LA shields another: its team may not link
the row (the shielded child's team alone may judge whether it is that child) nor make a new child of it
(another LA holds one), and the other team may not link it into a child it is not shown.

Ordinary reviews follow their children the same way (`linkage.holding.reviews_follow`): one none of whose
children its LA holds any more goes to the one LA that holds them (held there at once if one is a shielded
child of that LA), or is left and reported if two or more do. One naming a child shielded in another LA goes
to that LA's team, held, even while its own LA holds another child it names (as the same row sent now would:
`linkage.holding.ordinary_review_las`); left and reported if two or more other LAs shield one. A review opened
with every candidate in another LA (candidates are looked for nationally) is moved on the first run after it
opens.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from children.models import Child
from linkage.holding import (
    ChildrenBusy,
    children_locked_now,
    ordinary_review_las,
    other_las_holding,
    review_follows,
    reviews_mark_held,
    shields_one_of,
)
from linkage.models import ClericalReview, ReviewReason, ReviewStatus
from linkage.selectors import review_candidate_ids
from vault.crypto import DecryptionFailed


@dataclass
class SweepOutcome:
    """What a sweep changed, by review id (no personal data)."""

    held: list[str] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)
    # reviews whose children two or more other LAs hold, and holds naming a child shielded in another LA
    # while their own LA holds one (no team can link the row: a person's call)
    left: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)  # a row it needed was locked: the next run looks again


def holds_sweep() -> SweepOutcome:
    """Hold every open review naming a shielded child of its LA; move every review (held or not) none of
    whose children its LA holds any more to the one LA that holds them."""
    outcome = SweepOutcome()
    # The ids read at once, not through a server-side cursor held across the per-review transactions
    # (a transaction-pooling PgBouncer may hand the next fetch to another server session).
    for review_id in list(_open_reviews().values_list("pk", flat=True)):
        with transaction.atomic():
            _review_put_right(review_id, outcome)
    return outcome


def _shielded_elsewhere(children: list[Child], own_la_id: int) -> bool:
    """Is a child the review names shielded in an LA other than its own (under the children's locks)?"""
    return any(child.shielded and child.local_authority_id != own_la_id for child in children)


def _open_reviews() -> "QuerySet[ClericalReview]":
    """Open reviews whose copy still opens and may name a candidate (a closed-identity review names none,
    and stays with the team that closed the identity)."""
    return (
        ClericalReview.objects.filter(status=ReviewStatus.OPEN, copy_shredded_at__isnull=True)
        .exclude(reason=ReviewReason.CLOSED_IDENTITY)
        .order_by("pk")
    )


def _review_put_right(review_id: Any, outcome: SweepOutcome) -> None:
    if not _open_reviews().filter(pk=review_id).exists():  # decided, or its copy shredded, since the list
        return
    locked = _open_reviews().select_for_update(of=("self",), skip_locked=True).prefetch_related("data_key")
    review = locked.filter(pk=review_id).first()
    if review is None:
        outcome.busy.append(str(review_id))
        return
    try:
        named = review_candidate_ids(review)
    except DecryptionFailed:  # its shred is closing it
        return
    try:
        children = children_locked_now(named)
    except ChildrenBusy:
        outcome.busy.append(str(review.pk))
        return
    own_la = review.local_authority_id
    if not review.shielded_hold and shields_one_of(children, own_la):
        reviews_mark_held([review])
        outcome.held.append(str(review.pk))
        return
    # An ordinary review goes where the same row sent now would: to a shielded child's LA team, even if
    # its own LA holds another child it names (`ordinary_review_las`). A hold follows its children.
    others = (
        other_las_holding(children, own_la) if review.shielded_hold else ordinary_review_las(children, own_la)
    )
    if not others:
        if review.shielded_hold and _shielded_elsewhere(children, own_la):
            # A hold its own LA's team cannot link (a child it names is shielded in another LA: the link is
            # refused, `linkage.views`) nor make a new child from (another LA holds one): reported nightly,
            # never silently left to "not a match" alone.
            outcome.left.append(str(review.pk))
        return
    if len(others) > 1:
        outcome.left.append(str(review.pk))
        return
    to_la = others.pop()
    review_follows(review, own_la, to_la)
    outcome.followed.append(str(review.pk))
    if not review.shielded_hold and shields_one_of(children, to_la):  # an ordinary review, now of that LA
        reviews_mark_held([review])
        outcome.held.append(str(review.pk))
