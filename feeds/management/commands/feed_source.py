"""`manage.py feed_source`: register a feed source, issue it a token (shown once), list and revoke tokens.

manage.py feed_source create health --organisation ODS-X26 --fields given_names,family_name,... --las LA-N,LA-S --trust 10
manage.py feed_source token health [--days 365]
manage.py feed_source tokens health
manage.py feed_source revoke health --prefix cpf_AbCd
manage.py feed_source revoke health --prefix <the whole token>
manage.py feed_source revoke health --token-id 42

A token is named for revoking by its first 8 characters (`--prefix`), by the whole token (`--prefix`
given it: a leaked token is what an operator has in hand), or exactly by its id (`--token-id`,
shown when it is issued, by `tokens`, and in its `feed:token:issued` audit event). A prefix two live tokens
share names neither: nothing is revoked and the refusal lists their ids.

Without `--fields` a source is entitled to every feed field but `date_of_death`, which it supplies only
if named: a death recorded archives the child's record a year later.

A token expires `--days` after it is issued (365 unless given, 1 to 366): issue the next one, install it
and revoke the old one before then. `tokens` lists when each expires.
"""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from feeds.models import DEFAULT_TRUST_RANK, FEED_FIELDS, FeedSource, FeedToken
from feeds.sources import (
    TOKEN_DAYS,
    TOKEN_DAYS_DEFAULT,
    feed_source_create,
    feed_token_issue,
    feed_token_revoke,
    token_digest,
)

# FeedSource.code is a slug of at most 40 characters; the account is `feed-<code>`. Checked here, since
# the database refuses the rest only with a traceback (PostgreSQL) or not at all (SQLite).
CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
CODE_RULE = "a feed source code is 1 to 40 letters, digits, hyphens or underscores (A-Z, a-z, 0-9)"
TRUST_RANGE = (0, 32767)  # FeedSource.trust_rank, a positive small integer
# A source's identifiers are recorded as issued by its organisation, and shown to that body's staff
# alone: only a body that holds NHS numbers as its own may supply them.
NHS_NUMBER_ISSUERS = (OrganisationKind.HEALTH, OrganisationKind.GP_PRACTICE)
PREFIX_LENGTH = FeedToken._meta.get_field("prefix").max_length  # what `tokens` lists: the first 8 characters
# Without `--fields`, a source is entitled to every feed field but a date of death: recording one archives
# the record a year later (`feeds.ingest`), so a source supplies it only if it is named for it.
NAMED_ONLY = ("date_of_death",)
DEFAULT_FIELDS = tuple(name for name in FEED_FIELDS if name not in NAMED_ONLY)


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


class Command(BaseCommand):
    help = "Register feed sources and manage their API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("create", "token", "tokens", "revoke"))
        parser.add_argument("code")
        parser.add_argument("--organisation", help="code of the issuing organisation (create)")
        parser.add_argument(
            "--fields",
            default=",".join(DEFAULT_FIELDS),
            help="entitled fields, comma separated (unless given, every field but "
            + ", ".join(NAMED_ONLY)
            + ")",
        )
        parser.add_argument("--las", default="", help="entitled LA codes, comma separated (create)")
        parser.add_argument("--trust", type=int, default=DEFAULT_TRUST_RANK, help="lower is more trusted")
        parser.add_argument(
            "--prefix", help="the first 8 characters of the token to revoke, or the whole token"
        )
        parser.add_argument("--token-id", type=int, help="the id of the token to revoke (see `tokens`)")
        parser.add_argument(
            "--days",
            type=int,
            default=TOKEN_DAYS_DEFAULT,
            help=f"days the token is live (token; {TOKEN_DAYS[0]} to {TOKEN_DAYS[1]}, {TOKEN_DAYS_DEFAULT} "
            "unless given)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if any(isinstance(value, str) and "\x00" in value for value in options.values()):
            # PostgreSQL cannot even be asked about a NUL (a traceback); no code or prefix holds one.
            raise CommandError("no argument may hold a NUL character")
        code = options["code"]
        if options["action"] == "create":
            if not CODE.fullmatch(code):
                raise CommandError(CODE_RULE)
            if not TRUST_RANGE[0] <= options["trust"] <= TRUST_RANGE[1]:
                raise CommandError(f"--trust must be between {TRUST_RANGE[0]} and {TRUST_RANGE[1]}")
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
            if "nhs_number" in _list(options["fields"]) and organisation.kind not in NHS_NUMBER_ISSUERS:
                raise CommandError(
                    "nhs_number may be supplied only by a health service or GP practice: a source's "
                    "identifiers are shown to its organisation's staff as the body that issued them. "
                    "Name --fields without nhs_number"
                )
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
            except IntegrityError:
                # Rolled back whole. The account name `feed-<code>`, or one looking like it, is taken.
                raise CommandError(
                    "a feed source with that code is already registered (or an account named like it)"
                ) from None
            self.stdout.write(f"Feed source {code} registered.")
            return
        source = FeedSource.objects.filter(code=code).first()
        if source is None:
            raise CommandError("no feed source with that code")
        if options["action"] == "token":
            if not TOKEN_DAYS[0] <= options["days"] <= TOKEN_DAYS[1]:
                raise CommandError(f"--days must be between {TOKEN_DAYS[0]} and {TOKEN_DAYS[1]}")
            token = feed_token_issue(source=source, days=options["days"])
            self.stdout.write(token)
            row = FeedToken.objects.get(digest=token_digest(token))
            self.stderr.write(
                f"Shown once: store it in the source system's secret store now. It is token id {row.pk}, "
                f"live until {row.expires_at:%Y-%m-%d %H:%M}."
            )
            return
        if options["action"] == "tokens":
            now = timezone.now()
            for row in FeedToken.objects.filter(source=source).order_by("pk"):
                if row.revoked_at:
                    state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}"
                else:
                    state = "expired" if row.expires_at <= now else "live"
                used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
                self.stdout.write(
                    f"{row.pk}\t{row.prefix}\tissued {row.created_at:%Y-%m-%d %H:%M}\t"
                    f"expires {row.expires_at:%Y-%m-%d %H:%M}\t{used}\t{state}"
                )
            return
        if (options["prefix"] is None) == (options["token_id"] is None):
            raise CommandError("name the token to revoke with either --prefix or --token-id")
        if options["token_id"] is not None:
            exact = FeedToken.objects.filter(
                source=source, pk=options["token_id"], revoked_at__isnull=True
            ).first()
            if exact is None or not feed_token_revoke(token=exact):
                raise CommandError("no live token of this source has that id: nothing was revoked")
            self.stdout.write("Token revoked.")
            return
        given = options["prefix"]
        # The whole token (what an operator revoking a leaked one has in hand) names exactly that token.
        # Tokens are ASCII: anything else (bytes the shell could not decode, say) is never hashed.
        whole = (
            FeedToken.objects.filter(
                source=source, digest=token_digest(given), revoked_at__isnull=True
            ).first()
            if given.isascii()
            else None
        )
        if whole is not None:
            if not feed_token_revoke(token=whole):
                raise CommandError("that token was revoked meanwhile: nothing more was revoked")
            self.stdout.write("Token revoked.")
            return
        if len(given) != PREFIX_LENGTH or not given.isascii():
            # Compared whole with each token's first characters, any other length names no token.
            raise CommandError(
                f"that names no live token of this source: give the first {PREFIX_LENGTH} characters of a "
                f"token, as `manage.py feed_source tokens {source.code}` lists them, the whole token, or "
                "--token-id: nothing was revoked"
            )
        # The prefix must name one token: of two that share it, either could be the one meant.
        matching = list(
            FeedToken.objects.filter(
                source=source, prefix=options["prefix"], revoked_at__isnull=True
            ).order_by("pk")
        )
        if not matching:
            raise CommandError("no live token of this source starts with that prefix")
        if len(matching) > 1:
            ids = ", ".join(str(row.pk) for row in matching)
            raise CommandError(
                "more than one live token of this source starts with that prefix: nothing was revoked. "
                f"Revoke one exactly with --token-id (these tokens' ids: {ids}; "
                f"`manage.py feed_source tokens {source.code}` shows when each was issued)"
            )
        if not feed_token_revoke(token=matching[0]):
            raise CommandError("no live token of this source starts with that prefix")
        self.stdout.write("Token revoked.")
