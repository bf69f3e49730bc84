"""Feed sources and rows for tests (synthetic people only)."""

from typing import Any

from accounts.models import Organisation, OrganisationKind
from feeds.models import FEED_FIELDS, FeedSource
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
