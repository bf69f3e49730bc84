"""Small-number suppression for management information: a count can point at a family.

Cells under 10 are suppressed; others are rounded to the nearest 5, so differences between two tables
cannot recover a small count either.
"""

SUPPRESSED = "Fewer than 10"
THRESHOLD = 10


def suppressed(count: int) -> str:
    if count < THRESHOLD:
        return SUPPRESSED
    return str(5 * round(count / 5))
