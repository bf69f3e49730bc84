"""A placeholder or never-issued NHS number is filed under no identifier key.

Ingest refuses such numbers (session 25) and the engine takes an equal one as no evidence, but records
stored before still carried one, and each was filed under the identifier key of its placeholder: every
record with "000 000 0000" shared one block, which a record judged again from what was stored (a review
opened before) looked up, its candidates swelling to "too many". A real number is still filed; running
`rebuild_blocking_keys` once takes the placeholder keys of records stored before away.
"""

from io import StringIO

from django.core.management import call_command

from children.models import BlockingKeyEntry, Child
from children.services import BLOCKING_PURPOSE, identifier_key
from feeds.tests.test_placeholder_nhs_number_stored_before_is_no_evidence import _isla_stored_before
from vault.blind_index import blind_index


def _filed_under(child: Child, number: str) -> bool:
    digest = blind_index(BLOCKING_PURPOSE, identifier_key("nhs_number", number))
    return BlockingKeyEntry.objects.filter(child=child, digest=digest).exists()


def test_a_placeholder_number_is_filed_under_no_key_and_a_real_one_is(world):
    for number in ("000 000 0000", "444 444 4444", "312 000 0000"):
        assert not _filed_under(_isla_stored_before(world, number), number)
    assert _filed_under(_isla_stored_before(world, "943 476 5919"), "943 476 5919")


def test_rebuilding_keys_takes_away_a_placeholder_key_filed_before(world):
    isla = _isla_stored_before(world, "000 000 0000")
    digest = blind_index(BLOCKING_PURPOSE, identifier_key("nhs_number", "000 000 0000"))
    BlockingKeyEntry.objects.create(child=isla, digest=digest, hidden=True)  # as filed before
    call_command("rebuild_blocking_keys", stdout=StringIO())
    assert not _filed_under(isla, "000 000 0000")
