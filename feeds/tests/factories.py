"""Feed sources and rows for tests (synthetic people only)."""

from datetime import date
from typing import Any

from access.policy import feed_row_decide
from accounts.models import Organisation, OrganisationKind
from feeds.ingest import BatchReport, batch_ingest
from feeds.models import FEED_FIELDS, FeedSource
from feeds.parsers import rows_fingerprint
from feeds.sources import feed_source_create
from tests.personas import World


def health_source(
    world: World,
    *,
    code: str = "health",
    fields: tuple[str, ...] = FEED_FIELDS,
    las: list[Organisation] | None = None,
    **extra: Any,
) -> FeedSource:
    """A national health-demographics feed (issuer of NHS numbers) entitled to North by default."""
    issuer = Organisation.objects.get_or_create(
        code=f"ORG-{code}",
        defaults={
            "kind": OrganisationKind.HEALTH,
            "name": f"Feed {code}",
            "accredited_on": world.north.accredited_on,
        },
    )[0]
    return feed_source_create(
        code=code, organisation=issuer, fields=list(fields), local_authorities=las or [world.north], **extra
    )


def feed_row(**overrides: Any) -> dict[str, Any]:
    """A valid row about a child nobody has recorded yet; override any field, None removes it."""
    row: dict[str, Any] = {
        "record_id": "H-1",
        "local_authority": "LA-N",
        "nhs_number": "943 476 5919",
        "given_names": "Harriet",
        "family_name": "Pemberton",
        "date_of_birth": "2016-07-21",
        "gender": "female",
        "address_line": "3 Mill Street",
        "town": "Leeds",
        "postcode": "LS2 7EY",
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


def second_feed_row(**overrides: Any) -> dict[str, Any]:
    """A valid row about a second new child, unlike `feed_row`'s in every field the engine matches on: the
    good row beside a bad one, to show the batch still takes it."""
    kit = {
        "record_id": "H-2",
        "given_names": "Kit",
        "family_name": "Marlow",
        "date_of_birth": "2015-03-02",
        "nhs_number": "401 023 2137",
        "address_line": "9 Oak Road",
        "postcode": "LS6 1AA",
    }
    return feed_row(**{**kit, **overrides})


def feed_rows_ingest(source: FeedSource, rows: list[dict[str, Any]], batch_id: str = "b1") -> BatchReport:
    """Ingest `rows` as one batch from `source`, entitled by the policy, on 1 December 2026."""
    return batch_ingest(
        source=source,
        batch_id=batch_id,
        fingerprint=rows_fingerprint(rows),
        rows=enumerate(rows, start=1),
        entitled=lambda s, fields, la: feed_row_decide(
            source=s, fields=fields, local_authority_id=la.pk if la else None
        ),
        today=date(2026, 12, 1),
    )


def health_rows_ingest(world: World, rows: list[dict[str, Any]], *, batch_id: str = "b") -> BatchReport:
    """`rows` from the health service's feed: how the linkage tests put an incoming record (and its
    review) in place."""
    return feed_rows_ingest(health_source(world), rows, batch_id=batch_id)
