"""Reading a text file line by line in bounded pieces, so no line is ever held whole: the one line reader
for feed files (`feeds.parsers`: CSV and JSON Lines) and batch linkage files (`linkage.filelink`).

A line is read at most LONGEST_LINE characters at a time. A longer one (a file with no line ends, a
runaway cell) is skipped piece by piece and given as None in its place, so its row can be refused by
number, the lines after it keep their numbers, and memory stays flat whatever the line's length. A
"\\r\\n" split across two pieces ends one line, not two.

Open files with `newline=""` (a lone "\\r" then ends a line, as the CSV reader counts lines).
"""

from collections.abc import Iterator
from typing import IO

# No row can be this long: nine columns at the CSV cell limit (128 KB) are about 1.2 million characters.
LONGEST_LINE = 8 * 1024 * 1024


def bounded_lines(handle: IO[str]) -> Iterator[str | None]:
    """Each line of the file with its line end; None in place of a line of LONGEST_LINE characters or
    more, which is read past a piece at a time and never held whole."""
    pending: str | None = None  # a line read while finding where an overlong one ends
    while True:
        if pending is not None:
            line, pending = pending, None
        else:
            line = handle.readline(LONGEST_LINE)
        if not line:
            return
        if len(line) < LONGEST_LINE:
            yield line  # the whole line (readline stopped at its end, or at the end of the file)
            continue
        piece = line
        while len(piece) == LONGEST_LINE and not piece.endswith("\n"):
            following = handle.readline(LONGEST_LINE)
            if piece.endswith("\r") and following != "\n":
                pending = following or None  # the line ended at "\r": this is the next one
                break
            piece = following
        yield None
