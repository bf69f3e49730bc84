"""Cells of a CSV that leaves the service: spreadsheets run a cell that starts with a formula character.

The file is written with "," between cells, but a spreadsheet in a locale whose list separator is ";"
(most of Europe) splits on ";" instead. Python's CSV writer quotes a cell holding a comma, never one
holding a semicolon, so "Flat 1;=cmd|' /C calc'!A0" became two cells there, the second a formula. Each
part a ";" can start is therefore neutralised as the cell's start is.

A line break starts a part too. The writer quotes a cell holding one, so the comma reading keeps it
inside the cell; but a ";" reading honours a quote only at the start of a ";" field, and every cell
after the first is in the middle of one, so there the quote is an ordinary character and the line
break ends the row: what follows it is the first cell of a new row. And a part may open with the
writer's doubled quote (a cell `x;"=cmd"` is written with each quote doubled), which a ";" reading
takes as a quoted field whose text starts `=cmd`: the quotes are looked through as the spaces are.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What can start a new cell in some reading of the file: ";" (a ";" locale) and a line break.
_PART_STARTS = re.compile(r"(;|\r\n|\r|\n)")


def _neutral(part: str) -> str:
    """A leading apostrophe (after any spaces, which some spreadsheets trim, and quotes, which a ";"
    reading may take as opening a quoted field) if the part starts a formula."""
    text = part.lstrip(' "')
    if text[:1] not in FORMULA_STARTS:
        return part
    return f"{part[: len(part) - len(text)]}'{text}"


def csv_cell(value: object) -> str:
    """Neutralise formula characters (CSV injection) at the start of the cell and of every part a ";"
    or a line break starts."""
    pieces = _PART_STARTS.split(str(value))
    # re.split with a group alternates text and separator: neutralise the text, keep the separators.
    return "".join(piece if index % 2 else _neutral(piece) for index, piece in enumerate(pieces))
