"""Exact linear algebra for the suppression tests: whether published sums fix a hidden count."""

from fractions import Fraction


def rank(rows: list[list[Fraction]]) -> int:
    """The rank of a matrix of exact fractions (Gaussian elimination, no rounding)."""
    rows = [row[:] for row in rows]
    found = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column] != 0:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found
