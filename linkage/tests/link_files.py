"""What the tests of `link_file` and `national_relink` write as their input: one helper, not a copy each."""

import csv
from collections.abc import Iterable, Sequence
from io import StringIO

from linkage.filelink import COLUMNS


def link_csv(rows: Iterable[Sequence[object]]) -> str:
    """`rows` (in `COLUMNS`' order) as a CSV file's text, under the header the tools read."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def syllables(number: int) -> str:
    """`number` written as syllables (0 is "ba", 12 is "dego"): a name the feed's rules take, one per row,
    that sounds different from its neighbours (letters alone, "ab", "ac", would share phonetic keys)."""
    return "".join(
        ("ba", "de", "fi", "go", "ku", "la", "me", "ni", "po", "ru")[int(digit)] for digit in str(number)
    )
