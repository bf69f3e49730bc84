"""`manage.py holds_sweep`: the daily catch-up for reviews that follow their children (`linkage.holds_sweep`).

Prints counts and review ids only. Exits non-zero when a review (a hold or an ordinary one) was left for a
person to place (its children held by more than one other LA, or a child it names shielded in another LA
while its own LA holds another), so the timer's failure alerts someone:
that person places it with `manage.py review_place REVIEW_ID --to LA_CODE` (`linkage.placing`).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linkage.holds_sweep import holds_sweep


class Command(BaseCommand):
    help = "Hold open reviews naming a shielded child; move reviews to the LA that now holds their children."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = holds_sweep()
        self.stdout.write(
            f"held {len(outcome.held)}, followed {len(outcome.followed)}, left {len(outcome.left)}, "
            f"busy {len(outcome.busy)}"
        )
        for review_id in outcome.left:
            self.stderr.write(
                f"review {review_id}: no team can place or link it as it stands (its children are held by more "
                "than one other LA, or one is shielded in another): see review_place"
            )
        if outcome.left:
            raise CommandError(f"{len(outcome.left)} review(s) need a person to say which LA judges them")
