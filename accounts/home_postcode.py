"""A practitioner's home postcode, held only as a keyed blind token (the own-address misuse rule).

The 2009 lesson (domain.md): users searched for their own relatives. A relative usually lives at the
same address, so a search typed with the searcher's own postcode, or one that finds a child living
there, is flagged for the LA team (`oversight.misuse.search_screen`). The LA team records the postcode
from the enhanced background check, which holds the person's home address.

Only an HMAC of the normalised postcode under the vault's index key is kept (`vault.blind_index`): it
answers "is this the same postcode?" and nothing else, so the staff table gains no readable address, and
a copy of the database without the key reveals nothing (a postcode is guessable only with the key).
"""

from matching.normalise import normalise_postcode
from vault.blind_index import blind_token

PURPOSE = "practitioner-home-postcode"


def home_postcode_token(postcode: str) -> str | None:
    """The token of a full UK postcode (any spacing or case), or None for anything less.

    A sector or a district is thousands of households: only a full postcode is an address.
    """
    normalised = normalise_postcode(postcode)
    return blind_token(PURPOSE, normalised) if normalised else None
