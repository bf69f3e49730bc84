"""A review naming a child about to be shielded in another LA, decided as the shield commits, on real
PostgreSQL sessions: neither fails, the link is refused once the shield is seen, and the review then goes
to the shielded child's LA team, held."""

from html import unescape

from django.urls import reverse

import linkage.views
from accounts.models import Role
from children.models import Child
from children.selectors import child_details
from lifecycle.shielding import shield_set
from linkage.holds_sweep import holds_sweep
from linkage.models import ClericalReview, ReviewStatus
from linkage.tests.test_ordinary_review_follows_its_candidates import _moved_to, _too_close
from linkage.views import SHIELDED_ELSEWHERE_WORDS
from tests.concurrency import paused_for, postgresql_race, run_together
from tests.journeys import signed_in
from tests.personas import make_user

pytestmark = postgresql_race()


def test_a_link_deciding_as_the_other_child_is_shielded_in_another_la_is_refused_and_the_sweep_moves_it(
    world, child, monkeypatch
):
    """The data manager's link holds the review (its candidates' key locks not yet taken) as South's team
    shields the child South now holds: the shield skips the review and commits, the link then finds the
    child shielded elsewhere under the key locks and is refused in words; the sweep sends the review to
    South's team, held."""
    stella = make_user("stella", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    client = signed_in(world.dara)
    url = reverse("linkage:review", args=[review.pk])
    before = child_details(Child.objects.get(pk=twin.pk))

    response, shielded = paused_for(
        monkeypatch,
        linkage.views,
        "children_keys_lock",
        read=lambda: client.post(url, {"decision": "link", "child": str(twin.pk)}),
        write=lambda: shield_set(
            child=Child.objects.get(pk=child.pk), by=stella, shielded=True, reason="Refuge"
        ),
        before=True,
    )

    assert shielded is True
    assert response.status_code == 400
    assert SHIELDED_ELSEWHERE_WORDS in unescape(response.content.decode())
    assert child_details(Child.objects.get(pk=twin.pk)) == before
    assert ClericalReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN
    holds_sweep()
    stored = ClericalReview.objects.get(pk=review.pk)
    assert (stored.local_authority_id, stored.shielded_hold) == (world.south.pk, True)


def test_a_link_and_a_shield_in_another_la_released_together_never_leave_the_row_with_the_old_la(
    world, child
):
    """Whichever goes first: the link decided before the shield (the row in North's twin, decided while
    nothing was shielded), or refused (in words under the key locks, or by the policy once the shield
    moved the review) and the review, once the sweep has run, South's team's, held."""
    stella = make_user("stella", world.south, Role.LA_TEAM)
    review, twin = _too_close(world, child)
    _moved_to(child, world.south)
    client = signed_in(world.dara)
    url = reverse("linkage:review", args=[review.pk])

    def work(index: int):
        if index == 0:
            return client.post(url, {"decision": "link", "child": str(twin.pk)}).status_code
        return shield_set(child=Child.objects.get(pk=child.pk), by=stella, shielded=True, reason="Refuge")

    status, shielded = run_together(2, work)

    assert shielded is True and Child.objects.get(pk=child.pk).shielded
    holds_sweep()
    stored = ClericalReview.objects.get(pk=review.pk)
    if status == 302:
        assert stored.status == ReviewStatus.LINKED
    else:
        assert status in (400, 403)  # refused in words, or by the policy once the review moved to South
        assert (stored.status, stored.local_authority_id, stored.shielded_hold) == (
            ReviewStatus.OPEN,
            world.south.pk,
            True,
        )
