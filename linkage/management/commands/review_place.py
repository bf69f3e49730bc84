"""Place a review the daily sweep left for a person with one LA holding its children (`linkage.placing`).

    .venv/bin/python manage.py review_place REVIEW_ID --to LA_CODE           # judge it; changes nothing
    .venv/bin/python manage.py review_place REVIEW_ID --to LA_CODE --apply   # move it there

`manage.py holds_sweep` names such reviews (by id) when it exits non-zero. A dry run unless `--apply`, as
`repair_shredded` is: typed by a person, it first says what it would do. Ids and codes only on the
terminal; a refusal says why in words and exits non-zero.
"""

from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation, OrganisationKind
from linkage.placing import PlaceRefused, review_place


class Command(BaseCommand):
    help = (
        "Move an open review whose children two or more other LAs hold to one of those LAs (holds_sweep "
        "names them). Changes nothing without --apply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("review_id", type=UUID, help="the review's id, as holds_sweep printed it")
        parser.add_argument("--to", required=True, metavar="LA_CODE", help="the local authority to judge it")
        parser.add_argument(
            "--apply", action="store_true", help="move it (without it: say what would happen)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        la = Organisation.objects.filter(
            code__iexact=options["to"], kind=OrganisationKind.LOCAL_AUTHORITY
        ).first()
        if la is None:
            raise CommandError(f"there is no local authority {options['to']}")
        try:
            placement = review_place(review_id=options["review_id"], to_la=la, apply=options["apply"])
        except PlaceRefused as refused:
            raise CommandError(str(refused)) from None
        held = " and held for its LA team (a child it names is shielded there)" if placement.held else ""
        if placement.applied:
            self.stdout.write(f"review {placement.review_id} placed with {la.code}{held}")
        else:
            self.stdout.write(
                f"DRY RUN: nothing changed; --apply to place review {placement.review_id} with {la.code}{held}"
            )
