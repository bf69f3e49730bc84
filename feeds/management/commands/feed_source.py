"""`manage.py feed_source`: register a feed source, issue it a token (shown once), revoke a token.

manage.py feed_source create health --organisation ODS-X26 --fields given_names,family_name,... --las LA-N,LA-S --trust 10
manage.py feed_source token health
manage.py feed_source revoke health --prefix cpf_AbCd
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation, OrganisationKind
from feeds.models import DEFAULT_TRUST_RANK, FEED_FIELDS, FeedSource, FeedToken
from feeds.sources import feed_source_create, feed_token_issue, feed_token_revoke


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


class Command(BaseCommand):
    help = "Register feed sources and manage their API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("create", "token", "revoke"))
        parser.add_argument("code")
        parser.add_argument("--organisation", help="code of the issuing organisation (create)")
        parser.add_argument(
            "--fields", default=",".join(FEED_FIELDS), help="entitled fields, comma separated"
        )
        parser.add_argument("--las", default="", help="entitled LA codes, comma separated (create)")
        parser.add_argument("--trust", type=int, default=DEFAULT_TRUST_RANK, help="lower is more trusted")
        parser.add_argument("--prefix", help="the first 8 characters of the token to revoke")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["code"]
        if options["action"] == "create":
            organisation = Organisation.objects.filter(code=options["organisation"] or "").first()
            if organisation is None:
                raise CommandError("no organisation with that code")
            las = list(
                Organisation.objects.filter(
                    code__in=_list(options["las"]), kind=OrganisationKind.LOCAL_AUTHORITY
                )
            )
            if len(las) != len(set(_list(options["las"]))) or not las:
                raise CommandError("every --las code must name a local authority")
            try:
                feed_source_create(
                    code=code,
                    organisation=organisation,
                    fields=_list(options["fields"]),
                    local_authorities=las,
                    trust_rank=options["trust"],
                )
            except ValueError as wrong:
                raise CommandError(str(wrong)) from None
            self.stdout.write(f"Feed source {code} registered.")
            return
        source = FeedSource.objects.filter(code=code).first()
        if source is None:
            raise CommandError("no feed source with that code")
        if options["action"] == "token":
            self.stdout.write(feed_token_issue(source=source))
            self.stderr.write("Shown once: store it in the source system's secret store now.")
            return
        # The prefix must name one token: of two that share it, either could be the one meant.
        matching = list(
            FeedToken.objects.filter(
                source=source, prefix=options["prefix"] or "", revoked_at__isnull=True
            ).order_by("pk")[:2]
        )
        if not matching:
            raise CommandError("no live token of this source starts with that prefix")
        if len(matching) > 1:
            raise CommandError(
                "more than one live token of this source starts with that prefix: nothing was revoked"
            )
        feed_token_revoke(token=matching[0])
        self.stdout.write("Token revoked.")
