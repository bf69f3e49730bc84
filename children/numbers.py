"""Drawing index numbers no record has ever had, and retiring the numbers of records that go.

A number is unused when no child holds it and it was never retired (`RetiredIndexNumber`). Every
removal of a child row retires its number in the deleting transaction (a `pre_delete` receiver, so a
merge, a purge and any later path alike), and a new child is saved in the transaction of its draw, so
the child's row or its retirement is always visible to the next draw. Two creators drawing one number
at the same moment still meet the unique constraint on `Child.index_number`, as before.
"""

from collections.abc import Iterable

from children import index_number
from children.models import Child, RetiredIndexNumber
from vault.blind_index import blind_index, blind_indexes

RETIRED_INDEX_NUMBER_PURPOSE = "retired-index-number"


def index_numbers_taken(numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` held by a child or retired."""
    wanted = list(dict.fromkeys(numbers))
    held = set(Child.objects.filter(index_number__in=wanted).values_list("index_number", flat=True))
    digests = dict(zip(blind_indexes(RETIRED_INDEX_NUMBER_PURPOSE, wanted), wanted, strict=True))
    retired = RetiredIndexNumber.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)
    return held | {digests[digest] for digest in retired}


def index_number_unused() -> str:
    """A fresh index number that no child holds and none ever held (about 1% collide at national scale:
    drawn again)."""
    while True:
        number = index_number.generate()
        if not index_numbers_taken([number]):
            return number


def index_number_retire(number: str) -> None:
    """Keep `number` from ever being drawn again (idempotent: a restored and purged-again record)."""
    RetiredIndexNumber.objects.get_or_create(digest=blind_index(RETIRED_INDEX_NUMBER_PURPOSE, number))


def child_deleted_retires_number(sender: type[Child], instance: Child, **kwargs: object) -> None:
    """`pre_delete` receiver: runs inside the delete's own transaction, so the number is retired exactly
    when the row goes (a rolled-back delete retires nothing)."""
    index_number_retire(instance.index_number)
