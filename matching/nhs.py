"""NHS numbers that name no one: the one rule ingest refuses them by and the engine discounts them by.

On the ground floor so that both may import it: feeds (`feeds.validation`, a row's number is refused)
and linkage (`linkage.linking`, an equal number stored before the refusal is no evidence).
"""

import re

from nhs_number.constants import (
    RANGE_RESERVED,
    RANGE_UNALLOCATED_1,
    RANGE_UNALLOCATED_2,
    RANGE_UNALLOCATED_3,
)

_TEN_DIGITS = re.compile(r"[0-9]{10}")
# Ranges no NHS number is ever issued from (the synthetic 9xx test range stays: test patients, our data).
_NEVER_ISSUED = (RANGE_RESERVED, RANGE_UNALLOCATED_1, RANGE_UNALLOCATED_2, RANGE_UNALLOCATED_3)


def nhs_number_names_no_one(digits: str) -> bool:
    """Is `digits` (ten ASCII digits, no spaces) a placeholder or from a range never issued?

    One digit ten times passes the check digit (n repeated checks to n) and is what systems write when
    they hold no number, so twins fed with it share it; a number from a range never issued (0000000000
    is below every range) cannot be anyone's. Either says nothing about who a record is. Anything other
    than ten digits is not this rule's to judge (False): the caller's format rule answers for it.
    """
    if not _TEN_DIGITS.fullmatch(digits):
        return False
    return len(set(digits)) == 1 or int(digits) < 10 or any(r.contains_number(digits) for r in _NEVER_ISSUED)
